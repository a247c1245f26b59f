package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.Browser;
import org.lactationcds.support.BrowserExtension;
import org.lactationcds.support.ServerProcess;
import org.lactationcds.support.TestHttp;
import org.openqa.selenium.By;

/**
 * The server as a browser-based CDS client meets it (what the CDS Hooks sandbox does), from a page on another
 * origin: a tiny HTTP server of the test serves the page, the CDS client's key set (its {@code jku}) and the
 * authorization server's key set; its origin is the one allowed origin of the server under test, which trusts FHIR
 * access tokens of that authorization server and CDS client JWTs (ES384, {@code jku}) of that client. The test mints
 * the tokens and hands them to the page; headless Chromium runs it; the test asserts what the page could read. The
 * same server shows SMART discovery over plain HTTP.
 */
@ExtendWith(BrowserExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SandboxBrowserTests {

	static final String PUBLIC_BASE = "https://cds.example.org";
	static final String CDS_CLIENT = "https://sandbox.example.org";
	static final String AUTH_SERVER = "https://auth.example.org";
	static final String PATIENT = "demo-wl-mother";
	static final String SERVICE = "lactation-patient-view";
	static final ObjectMapper JSON = new ObjectMapper();
	/**
	 * Writes the page tries with a read-only token. Only DELETE: a PUT or PATCH body is validated first, and the
	 * validator's first use can take minutes on a loaded machine; their preflights are checked in BrowserCorsTests.
	 */
	static final List<String> WRITES = List.of("DELETE");
	/** What the page does, in order (sandbox.html). */
	static final List<String> STEPS = List.of("metadata", "smartConfiguration", "patientWithoutToken", "patient", "writeDELETE",
			"discovery", "prefetch", "service", "feedback", "serviceWithoutToken");

	@TempDir
	static Path workingDirectory;

	final ECKey cdsClientKey = generateEc();
	final RSAKey authServerKey = generateRsa();
	HttpServer origin;
	ServerProcess server;

	@BeforeAll
	void startServerAndPageOrigin() throws Exception {
		origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		origin.createContext("/cds-client/jwks.json", exchange -> respond(exchange, "application/json",
				new JWKSet(cdsClientKey.toPublicJWK()).toString(true)));
		origin.createContext("/auth/jwks", exchange -> respond(exchange, "application/json",
				new JWKSet(authServerKey.toPublicJWK()).toString(true)));
		origin.createContext("/sandbox.html", exchange -> respond(exchange, "text/html; charset=utf-8", page()));
		origin.start();

		Path clients = workingDirectory.resolve("cds-clients.json");
		Files.writeString(clients, JSON.writeValueAsString(Map.of("clients", List.of(Map.of(
				"iss", CDS_CLIENT,
				"jku", List.of(originUrl() + "/cds-client/jwks.json"),
				"localStore", true)))));
		Map<String, String> environment = new LinkedHashMap<>();
		environment.put("LACTATION_CDS_CDS_CORS_ALLOWED_ORIGINS", originUrl());
		environment.put("LACTATION_CDS_SECURITY_CDS_CLIENTS_FILE", clients.toString());
		environment.put("LACTATION_CDS_PUBLIC_BASE_URL", PUBLIC_BASE);
		environment.put("LACTATION_CDS_SECURITY_FHIR_ISSUERS_0_ISSUER", AUTH_SERVER);
		environment.put("LACTATION_CDS_SECURITY_FHIR_ISSUERS_0_JWK_SET_URI", originUrl() + "/auth/jwks");
		environment.put("LACTATION_CDS_SMART_AUTHORIZATION_ENDPOINT", AUTH_SERVER + "/authorize");
		environment.put("LACTATION_CDS_SMART_TOKEN_ENDPOINT", AUTH_SERVER + "/token");
		environment.put("LACTATION_CDS_SMART_CAPABILITIES", "launch-standalone,client-confidential-asymmetric");
		server = ServerProcess.start(workingDirectory.resolve("server"), environment);
	}

	@AfterAll
	void stop() {
		if (server != null) {
			server.close();
		}
		if (origin != null) {
			origin.stop(0);
		}
	}

	@Test
	void aPageOnAnotherOriginReadsFhirCallsTheServiceAndSendsFeedback(Browser browser) throws Exception {
		browser.driver().get(originUrl() + "/sandbox.html");
		// One deadline per step, not one for the whole page: on a loaded machine the steps together may take minutes.
		for (String step : STEPS) {
			browser.await("the page's step " + step).until(driver ->
					(" " + driver.findElement(By.id("progress")).getText() + " ").contains(" " + step + " "));
		}
		browser.await("the page's result").until(driver -> !driver.findElement(By.id("result")).getText().isBlank());
		JsonNode seen = JSON.readTree(browser.driver().findElement(By.id("result")).getText());

		assertThat(seen.at("/origin").asText()).isEqualTo(originUrl()).isNotEqualTo(server.baseUrl());
		assertThat(seen.at("/metadata/status").asInt()).as(seen.toString()).isEqualTo(200);
		assertThat(seen.at("/metadata/fhirVersion").asText()).isEqualTo("4.0.1");
		assertThat(seen.at("/metadata/service").toString()).contains("SMART-on-FHIR");
		assertThat(seen.at("/metadata/oauthUris").toString()).contains("authorize", "token");
		assertThat(seen.at("/smartConfiguration/status").asInt()).as(seen.toString()).isEqualTo(200);
		assertThat(seen.at("/smartConfiguration/tokenEndpoint").asText()).isEqualTo(AUTH_SERVER + "/token");
		assertThat(seen.at("/patientWithoutToken/status").asInt()).as(seen.toString()).isEqualTo(401);
		assertThat(seen.at("/patientWithoutToken/wwwAuthenticate").asText()).as("exposed to the page").startsWith("Bearer");
		assertThat(seen.at("/patient/status").asInt()).as(seen.toString()).isEqualTo(200);
		assertThat(seen.at("/patient/id").asText()).isEqualTo(PATIENT);
		for (String method : WRITES) {
			// Through the preflight to the server, whose answer (a read-only token: refused) the page can read.
			assertThat(seen.at("/write" + method + "/status").asInt()).as(method + ": " + seen).isEqualTo(403);
			assertThat(seen.at("/write" + method + "/resourceType").asText()).isEqualTo("OperationOutcome");
		}

		assertThat(seen.at("/discovery/status").asInt()).as(seen.toString()).isEqualTo(200);
		assertThat(seen.at("/discovery/ids").toString()).contains(SERVICE);
		seen.get("prefetch").fields().forEachRemaining(key ->
				assertThat(key.getValue().asInt()).as("prefetch " + key.getKey() + ": " + seen).isEqualTo(200));
		assertThat(seen.at("/service/status").asInt()).as(seen.toString()).isEqualTo(200);
		assertThat(seen.at("/service/cards").findValuesAsText("rule")).contains("RF-INFANT-WEIGHT-LOSS");
		assertThat(seen.at("/feedback/status").asInt()).as(seen.toString()).isEqualTo(200);
		assertThat(seen.at("/feedback/body/received").asInt()).isEqualTo(1);
		assertThat(seen.at("/serviceWithoutToken/status").asInt()).isEqualTo(401);
		assertThat(seen.at("/serviceWithoutToken/error").asText()).isEqualTo("Unauthorized");
	}

	@Test
	void smartAppsDiscoverTheAuthorizationServerWithoutAToken() throws Exception {
		HttpResponse<String> response = get("/fhir/.well-known/smart-configuration", null);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
		JsonNode smart = JSON.readTree(response.body());
		assertThat(smart.get("issuer").asText()).isEqualTo(AUTH_SERVER);
		assertThat(smart.get("jwks_uri").asText()).isEqualTo(originUrl() + "/auth/jwks");
		assertThat(smart.get("authorization_endpoint").asText()).isEqualTo(AUTH_SERVER + "/authorize");
		assertThat(smart.get("token_endpoint").asText()).isEqualTo(AUTH_SERVER + "/token");
		assertThat(smart.get("grant_types_supported").toString()).contains("authorization_code");
		assertThat(smart.get("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
		assertThat(smart.get("scopes_supported").toString()).contains("patient/*.rs", "system/*.cruds");
		assertThat(smart.get("capabilities").toString()).contains("launch-standalone", "client-confidential-asymmetric",
				"permission-v2", "permission-patient");
	}

	@Test
	void theCapabilityStatementSaysHowToAuthorizeAndOffersNoAdministrativeOperation() throws Exception {
		HttpResponse<String> metadata = get("/fhir/metadata", null);
		JsonNode security = JSON.readTree(metadata.body()).at("/rest/0/security");
		HttpResponse<String> expunge = TestHttp.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/fhir/$expunge"))
				.header("Authorization", "Bearer " + fhirToken("system/*.cruds", null))
				.header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Parameters\",\"parameter\":"
						+ "[{\"name\":\"expungeEverything\",\"valueBoolean\":true}]}")));

		assertThat(metadata.statusCode()).isEqualTo(200);
		assertThat(security.at("/service/0/coding/0/system").asText()).isEqualTo("http://terminology.hl7.org/CodeSystem/restful-security-service");
		assertThat(security.at("/service/0/coding/0/code").asText()).isEqualTo("SMART-on-FHIR");
		assertThat(security.at("/extension/0/url").asText()).isEqualTo("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
		assertThat(security.at("/extension/0/extension").toString())
				.contains("\"authorize\"", AUTH_SERVER + "/authorize", "\"token\"", AUTH_SERVER + "/token");
		assertThat(security.at("/cors").asBoolean()).isTrue();
		assertThat(metadata.body()).doesNotContain("\"expunge\"", "reindex");
		assertThat(expunge.statusCode()).as("not even for a system/*.cruds token: " + expunge.body()).isEqualTo(403);
		assertThat(get("/fhir/Patient/" + PATIENT, null).statusCode()).as("the rest of /fhir still needs a token").isEqualTo(401);
	}

	/** The page with fresh tokens (each is single-use and lives 5 minutes, as the sandbox's do). */
	private String page() {
		Map<String, Object> config = new LinkedHashMap<>();
		config.put("server", server.baseUrl());
		config.put("patient", PATIENT);
		config.put("service", SERVICE);
		config.put("writes", WRITES);
		config.put("fhirToken", fhirToken("patient/*.rs", PATIENT));
		config.put("discoveryToken", cdsToken("/cds-services"));
		config.put("callToken", cdsToken("/cds-services/" + SERVICE));
		config.put("feedbackToken", cdsToken("/cds-services/" + SERVICE + "/feedback"));
		try (InputStream html = getClass().getResourceAsStream("sandbox.html")) {
			return new String(html.readAllBytes(), StandardCharsets.UTF_8)
					.replace("/*CONFIG*/null", JSON.writeValueAsString(config));
		} catch (IOException e) {
			throw new IllegalStateException("cannot read sandbox.html", e);
		}
	}

	/** A CDS client JWT as the sandbox signs it: ES384, kid and jku in the header, audience the URL called. */
	private String cdsToken(String path) {
		JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES384)
				.type(JOSEObjectType.JWT)
				.keyID(cdsClientKey.getKeyID())
				.jwkURL(URI.create(originUrl() + "/cds-client/jwks.json"))
				.build();
		return sign(header, claims(CDS_CLIENT, PUBLIC_BASE + path).build(), signer(cdsClientKey));
	}

	/** An access token of the authorization server, for this server's FHIR base. */
	private String fhirToken(String scope, String patient) {
		JWTClaimsSet.Builder claims = claims(AUTH_SERVER, PUBLIC_BASE + "/fhir").subject("sandbox-app").claim("scope", scope);
		if (patient != null) {
			claims.claim("patient", patient);
		}
		JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(authServerKey.getKeyID()).build();
		return sign(header, claims.build(), signer(authServerKey));
	}

	private static JWTClaimsSet.Builder claims(String issuer, String audience) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder()
				.issuer(issuer)
				.audience(audience)
				.issueTime(Date.from(now))
				.expirationTime(Date.from(now.plusSeconds(300)))
				.jwtID(UUID.randomUUID().toString());
	}

	private HttpResponse<String> get(String path, String token) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).GET();
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return TestHttp.send(request);
	}

	private String originUrl() {
		return "http://127.0.0.1:" + origin.getAddress().getPort();
	}

	private static void respond(HttpExchange exchange, String contentType, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().add("Content-Type", contentType);
		exchange.sendResponseHeaders(200, bytes.length);
		exchange.getResponseBody().write(bytes);
		exchange.close();
	}

	private static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) {
		try {
			SignedJWT jwt = new SignedJWT(header, claims);
			jwt.sign(signer);
			return jwt.serialize();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	private static JWSSigner signer(ECKey key) {
		try {
			return new ECDSASigner(key);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	private static JWSSigner signer(RSAKey key) {
		try {
			return new RSASSASigner(key);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	private static ECKey generateEc() {
		try {
			return new ECKeyGenerator(Curve.P_384).keyID("sandbox-1").generate();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	private static RSAKey generateRsa() {
		try {
			return new RSAKeyGenerator(2048).keyID("auth-1").generate();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
