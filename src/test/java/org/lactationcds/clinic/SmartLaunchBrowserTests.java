package org.lactationcds.clinic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.Browser;
import org.lactationcds.support.BrowserExtension;
import org.lactationcds.support.ServerProcess;
import org.lactationcds.support.StubIssuer;
import org.lactationcds.support.TestHttp;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The clinic app launched from an EHR (SMART App Launch 2.x, EHR launch) in the system's headless Chromium, against
 * the server with a FHIR issuer configured: a stub authorization server in this test issues the launch's token
 * (authorization code with PKCE S256, checked here) for the weight-loss demo infant. The user sees that infant's dyad
 * view, its weights and its cards, all read with the token; a patient outside the launch's dyad gets an error, not
 * data.
 */
@ExtendWith(BrowserExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmartLaunchBrowserTests {

	static final String AUDIENCE = "https://cds.example.org/fhir";
	static final String CLIENT_ID = "lactation-clinic-app";
	static final String LAUNCH = "abc";
	static final String INFANT = "demo-wl-infant";
	static final String MOTHER = "demo-wl-mother";
	static final String OTHER = "demo-md-mother";

	@TempDir
	static Path workingDirectory;

	final RSAKey key = generate();
	final ObjectMapper json = new ObjectMapper();
	/** What the stub authorization server saw go wrong (empty when the app followed the protocol). */
	final List<String> protocolErrors = new CopyOnWriteArrayList<>();
	final List<String> tokensIssued = new CopyOnWriteArrayList<>();
	final Map<String, String> challenges = new ConcurrentHashMap<>();

	HttpServer auth;
	String issuer;
	ServerProcess server;

	@BeforeAll
	void start() throws IOException {
		auth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		issuer = "http://127.0.0.1:" + auth.getAddress().getPort();
		auth.createContext("/jwks", exchange -> send(exchange, 200, "application/json", new JWKSet(key.toPublicJWK()).toString(true)));
		auth.createContext("/authorize", this::authorize);
		auth.createContext("/token", this::token);
		auth.start();
		Map<String, String> environment = new LinkedHashMap<>();
		environment.put("LACTATION_CDS_SECURITY_FHIR_ISSUERS_0_ISSUER", issuer);
		environment.put("LACTATION_CDS_SECURITY_FHIR_ISSUERS_0_JWK_SET_URI", issuer + "/jwks");
		environment.put("LACTATION_CDS_SECURITY_FHIR_AUDIENCE", AUDIENCE);
		environment.put("LACTATION_CDS_SMART_AUTHORIZATION_ENDPOINT", issuer + "/authorize");
		environment.put("LACTATION_CDS_SMART_TOKEN_ENDPOINT", issuer + "/token");
		environment.put("LACTATION_CDS_SMART_CAPABILITIES", "launch-ehr,client-public,context-ehr-patient");
		environment.put("LACTATION_CDS_SMART_APP_CLIENT_ID", CLIENT_ID);
		server = ServerProcess.start(workingDirectory, environment, Duration.ofMinutes(10));
	}

	@AfterAll
	void stop() {
		try {
			if (server != null) {
				server.close();
			}
		} finally {
			auth.stop(0);
		}
	}

	@Test
	void ehrLaunchOpensTheLaunchPatientsDyadViewWithItsWeightsAndCardsReadWithTheToken(Browser browser) {
		WebDriver driver = browser.driver();
		driver.get(server.baseUrl() + "/app/launch.html?iss=" + encode(server.baseUrl() + "/fhir") + "&launch=" + LAUNCH);

		browser.await("the dyad view of the launch patient after authorization")
				.until(ExpectedConditions.urlContains("/app/dyad.html?patient=" + INFANT));
		assertThat(protocolErrors).as("what the authorization server refused").isEmpty();
		assertThat(tokensIssued).as("tokens issued for the code").hasSize(1);
		assertThat(driver.getCurrentUrl()).doesNotContain("code=", "state=");

		WebElement card = browser.await("the RF-INFANT-WEIGHT-LOSS card on the launched dyad view")
				.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".card[data-rule='RF-INFANT-WEIGHT-LOSS']")));
		assertThat(card.getAttribute("class")).contains("critical");
		assertThat(card.findElement(By.className("summary")).getText()).startsWith("Infant weight loss ");
		assertThat(card.findElement(By.className("source")).getText()).startsWith("Source: Lactation CDS · RF-INFANT-WEIGHT-LOSS");
		List<WebElement> links = card.findElements(By.cssSelector(".links a"));
		assertThat(links).as("the card's links, shown as links").isNotEmpty();
		assertThat(links).allSatisfy(link -> assertThat(link.getAttribute("href")).startsWith("http"));

		browser.await("the infant's weights on the chart")
				.until(ExpectedConditions.attributeToBeNotEmpty(driver.findElement(By.id("weight-chart")), "data-points"));
		assertThat(driver.findElement(By.id("dyad-title")).getText()).contains("Demo Infant");
		assertThat(driver.findElement(By.id("weights")).getText()).contains("3040 g");
		assertThat(driver.findElement(By.id("weight-summary")).getText()).contains("Birth weight 3400 g.");
		// The launch token's patient is the infant: the mother's own records are not readable with it, and the page says so.
		assertThat(driver.findElement(By.cssSelector("#temperatures tbody")).getText()).startsWith("Cannot read the mother's temperatures:");

		// Another patient than the launch's (not of its dyad): an error on the page, no card and no data.
		driver.get(server.baseUrl() + "/app/dyad.html?patient=" + OTHER);
		WebElement refused = browser.await("the refusal of another patient's dyad view")
				.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#weight-summary.error")));
		assertThat(refused.getText()).startsWith("Cannot open the dyad: ")
				.contains("Patient/" + OTHER + " is neither the launch patient nor her mother or infant");
		assertThat(driver.findElements(By.cssSelector(".card"))).isEmpty();
		assertThat(driver.findElement(By.id("weights")).getText()).doesNotContain(" g");

		// The same with both ids of the other dyad in the address: every read refused, nothing shown.
		driver.get(server.baseUrl() + "/app/dyad.html?mother=" + OTHER + "&infant=demo-md-infant");
		browser.await("the cards refused for the other dyad")
				.until(ExpectedConditions.textMatches(By.id("cards-status"), Pattern.compile("Decision support unavailable: .*neither")));
		browser.await("the weights refused for the other dyad")
				.until(ExpectedConditions.textMatches(By.id("weight-summary"), Pattern.compile("Cannot read the infant's weights: ")));
		assertThat(driver.findElements(By.cssSelector(".card"))).isEmpty();
	}

	@Test
	void cardsEndpointRefusesWithoutTokenAndForPatientsOutsideTheLaunchDyad() throws Exception {
		HttpResponse<String> anonymous = cards(INFANT, null);
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(json.readTree(anonymous.body()).get("message").asText()).contains("bearer token");

		String infantLaunch = accessToken(INFANT);
		HttpResponse<String> other = cards(OTHER, infantLaunch);
		assertThat(other.statusCode()).as(other.body()).isEqualTo(403);
		assertThat(json.readTree(other.body()).get("error").asText()).isEqualTo("Forbidden");

		HttpResponse<String> mother = cards(MOTHER, infantLaunch);
		assertThat(mother.statusCode()).as(mother.body()).isEqualTo(200);
		JsonNode answer = json.readTree(mother.body());
		assertThat(answer.at("/dyad/mothers/0").asText()).isEqualTo(MOTHER);
		assertThat(answer.at("/dyad/infants/0").asText()).isEqualTo(INFANT);
		assertThat(answer.get("cards").findValuesAsText("code")).contains("RF-INFANT-WEIGHT-LOSS");

		assertThat(cards("not a valid id", infantLaunch).statusCode()).isEqualTo(400);
	}

	HttpResponse<String> cards(String patient, String token) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/app/api/cards?patient=" + encode(patient)));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return TestHttp.send(request);
	}

	/* ------------------------------------------------------------------ the stub authorization server */

	/** The EHR's authorization: checks the request, then sends the browser back with a code (no user to ask). */
	void authorize(HttpExchange exchange) throws IOException {
		Map<String, String> query = form(exchange.getRequestURI().getRawQuery());
		String problem = !"code".equals(query.get("response_type")) ? "response_type is not code"
				: !CLIENT_ID.equals(query.get("client_id")) ? "client_id is " + query.get("client_id")
				: !LAUNCH.equals(query.get("launch")) ? "launch is " + query.get("launch")
				: !"S256".equals(query.get("code_challenge_method")) || query.get("code_challenge") == null ? "no PKCE S256 code_challenge"
				: query.get("scope") == null || !List.of(query.get("scope").split(" ")).containsAll(List.of("launch", "patient/*.rs"))
						? "scope is " + query.get("scope")
				: !query.getOrDefault("aud", "").endsWith("/fhir") ? "aud is " + query.get("aud")
				: query.get("redirect_uri") == null || !query.get("redirect_uri").endsWith("/app/ready.html") ? "redirect_uri is " + query.get("redirect_uri")
				: null;
		if (problem != null) {
			protocolErrors.add("authorize: " + problem);
			send(exchange, 400, "text/plain", problem);
			return;
		}
		String code = UUID.randomUUID().toString();
		challenges.put(code, query.get("code_challenge"));
		exchange.getResponseHeaders().add("Location", query.get("redirect_uri") + "?code=" + code + "&state=" + encode(query.get("state")));
		exchange.sendResponseHeaders(302, -1);
		exchange.close();
	}

	/** The token endpoint: the code once, with the verifier of its challenge; answers the browser across origins. */
	void token(HttpExchange exchange) throws IOException {
		exchange.getResponseHeaders().add("Access-Control-Allow-Origin", "*");
		if (exchange.getRequestMethod().equals("OPTIONS")) {
			exchange.getResponseHeaders().add("Access-Control-Allow-Headers", "content-type, authorization");
			exchange.getResponseHeaders().add("Access-Control-Allow-Methods", "POST");
			exchange.sendResponseHeaders(204, -1);
			exchange.close();
			return;
		}
		Map<String, String> body = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
		String challenge = body.get("code") == null ? null : challenges.remove(body.get("code"));
		String problem = !"authorization_code".equals(body.get("grant_type")) ? "grant_type is " + body.get("grant_type")
				: challenge == null ? "unknown or used code"
				: body.get("code_verifier") == null || !challenge.equals(s256(body.get("code_verifier"))) ? "code_verifier does not match the challenge"
				: null;
		if (problem != null) {
			protocolErrors.add("token: " + problem);
			send(exchange, 400, "application/json", "{\"error\":\"invalid_grant\",\"error_description\":\"" + problem + "\"}");
			return;
		}
		String accessToken = accessToken(INFANT);
		tokensIssued.add(accessToken);
		send(exchange, 200, "application/json", json.writeValueAsString(Map.of("access_token", accessToken,
				"token_type", "Bearer", "expires_in", 300, "scope", "launch patient/*.rs", "patient", INFANT)));
	}

	/** An access token the server accepts: this issuer's key, the server's audience, the launch patient. */
	String accessToken(String patient) {
		JWTClaimsSet claims = new JWTClaimsSet.Builder()
				.issuer(issuer)
				.subject("nurse-1")
				.audience(AUDIENCE)
				.issueTime(Date.from(Instant.now()))
				.expirationTime(Date.from(Instant.now().plusSeconds(300)))
				.jwtID(UUID.randomUUID().toString())
				.claim("client_id", CLIENT_ID)
				.claim("scope", "launch patient/*.rs")
				.claim("patient", patient)
				.build();
		return StubIssuer.sign(key, claims);
	}

	static String s256(String verifier) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	static Map<String, String> form(String encoded) {
		Map<String, String> values = new LinkedHashMap<>();
		if (encoded == null || encoded.isEmpty()) {
			return values;
		}
		for (String pair : encoded.split("&")) {
			int equals = pair.indexOf('=');
			String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
			values.put(name, equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
		}
		return values;
	}

	static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().add("Content-Type", type);
		exchange.sendResponseHeaders(status, bytes.length);
		exchange.getResponseBody().write(bytes);
		exchange.close();
	}

	static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	static RSAKey generate() {
		try {
			return new RSAKeyGenerator(2048).keyID("stub-auth-1").generate();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
