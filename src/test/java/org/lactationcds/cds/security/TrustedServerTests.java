package org.lactationcds.cds.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.audit.AuditTrail;
import org.lactationcds.support.PostgresTestServer;
import org.lactationcds.support.ServerProcess;
import org.lactationcds.support.StubIssuer;

/**
 * The server as a hospital deploys it: bound beyond loopback, trusted CDS clients for /cds-services AND an OAuth2
 * issuer for /fhir, two instances on one PostgreSQL. Every token is signed here; every attack gets 401/403/400 and
 * leaves nothing stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrustedServerTests {

	/** A new PostgreSQL database gets HAPI's whole schema at the first start: minutes on a loaded 2-core machine. */
	static final Duration START = Duration.ofMinutes(10);
	static final String PUBLIC = "https://cds.example.org";
	static final String FHIR_ISSUER = "https://auth.example.org";
	static final String OTHER_EHR = "https://other-ehr.example.org";
	static final String SERVICE = "/cds-services/lactation-patient-view";
	static final String PATIENT_VIEW = """
			{"hookInstance": "%s", "hook": "patient-view",
			 "context": {"userId": "Practitioner/demo", "patientId": "demo-wl-mother"}}""";

	Path directory;

	final ECKey otherEhrKey = ec("other-1");
	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
	final ObjectMapper json = new ObjectMapper();
	/** The FHIR resource server's authorization server (knowledge publishing, /fhir reads). */
	StubIssuer auth;
	Map<String, String> environment;
	ServerProcess one;
	ServerProcess two;

	@BeforeAll
	void start(@TempDir Path temporary) throws Exception {
		directory = temporary;
		auth = StubIssuer.start(FHIR_ISSUER, null);
		Path clients = directory.resolve("cds-clients.json");
		Files.writeString(clients, """
				{"clients": [
				  {"iss": "%s", "jwks": %s, "fhirServers": ["https://ehr.example.org/fhir"], "localStore": true},
				  {"iss": "%s", "jwks": %s}
				]}""".formatted(
				TestClients.ISSUER, new JWKSet(List.of(TestClients.RSA.toPublicJWK(), TestClients.EC.toPublicJWK())).toString(true),
				OTHER_EHR, new JWKSet(otherEhrKey.toPublicJWK()).toString(true)));
		PostgresTestServer.TestDatabase database = PostgresTestServer.get().createDatabase();
		environment = new HashMap<>(Map.of(
				"SERVER_ADDRESS", "0.0.0.0",
				"SPRING_DATASOURCE_URL", database.url(),
				"SPRING_DATASOURCE_USERNAME", database.username(),
				"SPRING_DATASOURCE_PASSWORD", database.password(),
				// the shared PostgreSQL serves every engineer's tests: two instances with small pools
				"SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "5",
				"LACTATION_CDS_SECURITY_CDS_CLIENTS_FILE", clients.toString(),
				"LACTATION_CDS_PUBLIC_BASE_URL", PUBLIC,
				"LACTATION_CDS_SECURITY_FHIR_ISSUERS_0_ISSUER", FHIR_ISSUER,
				"LACTATION_CDS_SECURITY_FHIR_ISSUERS_0_JWK_SET_URI", auth.jwkSetUri()));
		Map<String, String> first = new HashMap<>(environment);
		first.put("LACTATION_CDS_EXAMPLES_LOAD", "true"); // the demo dyads, into the shared store, once
		one = ServerProcess.start(directory.resolve("one"), first, START);
		Map<String, String> second = new HashMap<>(environment);
		second.put("LACTATION_CDS_EXAMPLES_LOAD", "false");
		two = ServerProcess.start(directory.resolve("two"), second, START);
	}

	@AfterAll
	void stop() {
		for (ServerProcess server : new ServerProcess[] {one, two}) {
			if (server != null) {
				server.close();
			}
		}
		if (auth != null) {
			auth.close();
		}
	}

	@Test
	@Order(1)
	void eachDoorTakesOnlyItsOwnTokens() throws Exception {
		HttpResponse<String> call = cds(one, SERVICE, cdsToken(SERVICE), patientView());
		assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
		assertThat(call.body()).contains("RF-INFANT-WEIGHT-LOSS");
		assertThat(fhir(one, "GET", "/fhir/Patient/demo-wl-mother", fhirToken("system/*.rs", null), null).statusCode()).isEqualTo(200);

		assertThat(cds(one, SERVICE, fhirToken("system/*.cruds", null), patientView()).statusCode())
				.as("a FHIR access token on /cds-services").isEqualTo(401);
		assertThat(fhir(one, "GET", "/fhir/Patient/demo-wl-mother", cdsToken("/fhir/Patient/demo-wl-mother"), null).statusCode())
				.as("a CDS client JWT on /fhir").isEqualTo(401);
		assertThat(fhir(one, "GET", "/fhir/metadata", null, null).statusCode()).isEqualTo(200);
		assertThat(one.log()).contains("check").doesNotContain("could not be verified: null");
	}

	@Test
	@Order(2)
	void replayedCdsTokenIsRefusedByTheOtherInstance() throws Exception {
		String token = cdsToken(SERVICE);
		assertThat(cds(two, SERVICE, token, patientView()).statusCode()).isEqualTo(200);

		HttpResponse<String> replay = cds(one, SERVICE, token, patientView());
		assertThat(replay.statusCode()).isEqualTo(401);
		assertThat(replay.body()).contains("\"error\"");
		assertThat(one.log()).contains("check replay failed");
	}

	@Test
	@Order(3)
	void tokenLivingLongerThanFiveMinutesIsRefused() throws Exception {
		String token = TestClients.rs384(TestClients.claims(Instant.now()).audience(PUBLIC + SERVICE)
				.expirationTime(Date.from(Instant.parse("2100-01-01T00:00:00Z"))).build());

		assertThat(cds(one, SERVICE, token, patientView()).statusCode()).isEqualTo(401);
	}

	@Test
	@Order(4)
	void feedbackIsTakenOnlyForCardsIssuedToTheCaller() throws Exception {
		JsonNode card = json.readTree(cds(one, SERVICE, cdsToken(SERVICE), patientView()).body()).get("cards").get(0);
		String uuid = card.get("uuid").asText();
		String feedback = SERVICE + "/feedback";
		UUID forged = new UUID(UUID.fromString(uuid).getMostSignificantBits(), UUID.randomUUID().getLeastSignificantBits());

		HttpResponse<String> stolen = cds(one, feedback, otherEhrToken(feedback), overridden(uuid));
		HttpResponse<String> invented = cds(one, feedback, cdsToken(feedback), overridden(forged.toString()));
		StringBuilder many = new StringBuilder("{\"feedback\": [");
		for (int i = 0; i < 101; i++) {
			many.append(i == 0 ? "" : ",").append(item(uuid, "2026-03-05T10:%02d:%02dZ".formatted(i / 60, i % 60)));
		}
		HttpResponse<String> bulk = cds(one, feedback, cdsToken(feedback), many.append("]}").toString());

		assertThat(stolen.statusCode()).as("a card issued to another client").isEqualTo(400);
		assertThat(json.readTree(stolen.body()).has("error")).isTrue();
		assertThat(json.readTree(stolen.body()).has("message")).isTrue();
		assertThat(invented.statusCode()).as("a uuid this server never issued").isEqualTo(400);
		assertThat(bulk.statusCode()).as("over 100 items").isEqualTo(400);
		assertThat(overriddenCount(one)).as("nothing stored").isZero();

		HttpResponse<String> genuine = cds(two, feedback, cdsToken(feedback), overridden(uuid));
		assertThat(genuine.statusCode()).as(genuine.body()).isEqualTo(200);
		assertThat(overriddenCount(one)).as("accepted by the other instance too (one key)").isEqualTo(1);
	}

	@Test
	@Order(5)
	void clientNotRegisteredForTheLocalStoreGetsNoCardsFromIt() throws Exception {
		HttpResponse<String> call = cds(one, SERVICE, otherEhrToken(SERVICE), patientView());

		assertThat(call.statusCode()).as(call.body()).isEqualTo(412);
		assertThat(call.body()).doesNotContain("RF-INFANT-WEIGHT-LOSS");
	}

	@Test
	@Order(6)
	void fhirTokensNeedExpAndThisServersAudienceAndMayBeAtJwt() throws Exception {
		String path = "/fhir/Patient/demo-wl-mother";
		JWTClaimsSet.Builder noExp = fhirClaims("system/*.rs", null).expirationTime(null);
		JWTClaimsSet.Builder otherAudience = fhirClaims("system/*.rs", null).audience("https://other-service.example.org/fhir");

		assertThat(fhir(one, "GET", path, sign(noExp, JOSEObjectType.JWT), null).statusCode()).as("no exp").isEqualTo(401);
		assertThat(fhir(one, "GET", path, sign(otherAudience, JOSEObjectType.JWT), null).statusCode()).as("aud").isEqualTo(401);
		assertThat(fhir(one, "GET", path, sign(fhirClaims("system/*.rs", null), new JOSEObjectType("at+jwt")), null).statusCode())
				.as("typ at+jwt").isEqualTo(200);
	}

	@Test
	@Order(7)
	void scopeLettersMeanWhatSmartV2Says() throws Exception {
		String system = fhirToken("system/*.cruds", null);
		put(system, "Patient/sm-b", "{\"resourceType\":\"Patient\",\"id\":\"sm-b\"}");
		String id = created(fhir(one, "POST", "/fhir/Observation", system, observation("sm-b", null)));

		String updateOnly = fhirToken("system/Observation.u", null);
		String searchOnly = fhirToken("system/Observation.s", null);
		assertThat(fhir(one, "POST", "/fhir/Observation", updateOnly, observation("sm-b", null)).statusCode()).as(".u creates").isEqualTo(403);
		assertThat(fhir(one, "PUT", "/fhir/Observation/" + id, updateOnly, observation("sm-b", null, id)).statusCode()).isEqualTo(200);
		assertThat(fhir(one, "GET", "/fhir/Observation/" + id, searchOnly, null).statusCode()).as(".s reads").isEqualTo(403);
		assertThat(fhir(one, "GET", "/fhir/Observation?patient=sm-b", searchOnly, null).statusCode()).isEqualTo(200);
		assertThat(fhir(one, "GET", "/fhir/Observation?patient=sm-b", fhirToken("user/Observation.rs", null), null).statusCode())
				.as("user/ scopes on patient data").isEqualTo(403);
		HttpResponse<String> apply = fhir(one, "GET", "/fhir/PlanDefinition/lactation-red-flags/$apply?subject=Patient/demo-wl-mother",
				fhirToken("system/*.rs", null), null);
		assertThat(apply.statusCode()).as(apply.body()).isEqualTo(200);
		assertThat(countOf("sm-b")).isEqualTo(1);
	}

	@Test
	@Order(8)
	void patientTokenWritesAndSearchesOnlyItsOwnPatient() throws Exception {
		String system = fhirToken("system/*.cruds", null);
		put(system, "Patient/sm-a", "{\"resourceType\":\"Patient\",\"id\":\"sm-a\"}");
		put(system, "Patient/sm-b", "{\"resourceType\":\"Patient\",\"id\":\"sm-b\"}");
		String othersObservation = created(fhir(one, "POST", "/fhir/Observation", system, observation("sm-b", null)));
		created(fhir(one, "POST", "/fhir/Observation", system, observation("sm-b", "sm-a"))); // A performed, B's data
		long before = countOf("sm-b");
		String patientA = fhirToken("patient/Observation.cruds patient/Patient.rs", "Patient/sm-a");

		assertThat(fhir(one, "GET", "/fhir/Patient/sm-a", patientA, null).statusCode()).as("patient claim as Patient/id").isEqualTo(200);
		assertThat(fhir(one, "POST", "/fhir/Observation", patientA, observation("sm-a", null)).statusCode()).isEqualTo(201);
		assertThat(fhir(one, "POST", "/fhir/Observation", patientA, observation("sm-b", "sm-a")).statusCode())
				.as("performer is not the patient").isEqualTo(403);
		assertThat(fhir(one, "PUT", "/fhir/Observation/" + othersObservation, patientA, observation("sm-a", null, othersObservation)).statusCode())
				.as("taking over another patient's observation").isEqualTo(403);
		assertThat(fhir(one, "DELETE", "/fhir/Observation/" + othersObservation, patientA, null).statusCode()).isEqualTo(403);
		String transaction = """
				{"resourceType": "Bundle", "type": "transaction", "entry": [
				  {"fullUrl": "urn:uuid:%s", "resource": %s, "request": {"method": "POST", "url": "Observation"}},
				  {"fullUrl": "urn:uuid:%s", "resource": %s, "request": {"method": "POST", "url": "Observation"}}]}"""
				.formatted(UUID.randomUUID(), observation("sm-a", null), UUID.randomUUID(), observation("sm-b", "sm-a"));
		assertThat(fhir(one, "POST", "/fhir", patientA, transaction).statusCode()).as("transaction entry").isEqualTo(403);

		for (String search : List.of("/fhir/Observation?patient=sm-a,sm-b&_summary=count", "/fhir/Observation?patient=sm-b&_count=0",
				"/fhir/Observation?_summary=count", "/fhir/Observation?subject=sm-a&_count=0",
				"/fhir/Observation?performer=sm-a", "/fhir/Patient?_id=sm-a,sm-b&_summary=count",
				"/fhir/Patient?_id=sm-a&_revinclude=Observation:performer")) {
			HttpResponse<String> answer = fhir(one, "GET", search, patientA, null);
			assertThat(answer.statusCode()).as(search).isEqualTo(403);
			assertThat(answer.body()).as(search).doesNotContain("\"total\"");
		}
		assertThat(fhir(one, "GET", "/fhir/Observation?patient=sm-a&_summary=count", patientA, null).statusCode()).isEqualTo(200);
		assertThat(countOf("sm-b")).as("nothing written into the other patient's record").isEqualTo(before);
	}

	@Test
	@Order(50)
	void knowledgePublishedOnOneInstanceRunsOnBothAndBothAuditIntoOneStore() throws Exception {
		String name = "ScaleOut" + UUID.randomUUID().toString().substring(0, 8);
		String cql = "library " + name + " version '1.0.0'\nusing FHIR version '4.0.1'\ncontext Patient\ndefine \"Title\": 'x'\n";
		String library = """
				{"resourceType": "Library", "id": "%s", "url": "http://lactation-cds.org/fhir/Library/%s", "version": "1.0.0",
				 "name": "%s", "status": "active",
				 "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/library-type", "code": "logic-library"}]},
				 "content": [{"contentType": "text/cql", "data": "%s"}]}""".formatted(
				name, name, name, Base64.getEncoder().encodeToString(cql.getBytes(StandardCharsets.UTF_8)));
		String publisher = fhirToken("lactation-cds/knowledge.publish", null);

		String before = fingerprint(knowledgeStatus(one, publisher));

		HttpResponse<String> published = fhir(one, "PUT", "/fhir/Library/" + name, publisher, library);
		assertThat(published.statusCode()).as(published.body()).isEqualTo(201);

		// Each instance picks up a release from the store (about ten seconds); a loaded machine gets two minutes.
		String onOne = awaitRelease(one, publisher, before);
		String onTwo = awaitRelease(two, publisher, before);
		assertThat(fingerprint(onTwo)).as("both instances run the same knowledge").isEqualTo(fingerprint(onOne));
		assertThat(onTwo).as("the release published on the first instance, by its publisher").contains("client-1");

		String callOnOne = UUID.randomUUID().toString();
		String callOnTwo = UUID.randomUUID().toString();
		assertThat(cds(one, SERVICE, cdsToken(SERVICE), PATIENT_VIEW.formatted(callOnOne)).statusCode()).isEqualTo(200);
		assertThat(cds(two, SERVICE, cdsToken(SERVICE), PATIENT_VIEW.formatted(callOnTwo)).statusCode()).isEqualTo(200);
		HttpResponse<String> trail = fhir(one, "GET", "/fhir/AuditEvent?subtype=" + AuditTrail.SUBTYPE_SYSTEM
				+ "%7Ccds-hooks-call&_count=500", fhirToken("system/AuditEvent.rs", null), null);
		assertThat(trail.statusCode()).as(trail.body()).isEqualTo(200);
		assertThat(trail.body()).as("both instances' CDS calls, in the one store").contains(callOnOne).contains(callOnTwo);
		HttpResponse<String> publishes = fhir(two, "GET", "/fhir/AuditEvent?subtype=" + AuditTrail.SUBTYPE_SYSTEM
				+ "%7Cknowledge-publish&_count=200", fhirToken("system/AuditEvent.rs", null), null);
		assertThat(publishes.body()).as("the publish made on the first instance, read on the second").contains("client-1");
	}

	private String knowledgeStatus(ServerProcess server, String token) throws Exception {
		HttpResponse<String> status = fhir(server, "GET", "/fhir/$knowledge-status", token, null);
		assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
		return status.body();
	}

	private String awaitRelease(ServerProcess server, String token, String before) throws Exception {
		Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
		String status = knowledgeStatus(server, token);
		while (fingerprint(status).equals(before) && Instant.now().isBefore(deadline)) {
			Thread.sleep(1_000);
			status = knowledgeStatus(server, token);
		}
		assertThat(fingerprint(status)).as("knowledge fingerprint on %s after a publish (waited 2 min)", server.baseUrl())
				.isNotEqualTo(before);
		return status;
	}

	private String fingerprint(String status) throws Exception {
		for (JsonNode parameter : json.readTree(status).get("parameter")) {
			if (parameter.get("name").asText().equals("fingerprint")) {
				return parameter.get("valueString").asText();
			}
		}
		throw new AssertionError("no fingerprint in " + status);
	}

	@Test
	@Order(100)
	void replayedCdsTokenIsRefusedAfterARestart() throws Exception {
		String token = cdsToken(SERVICE);
		assertThat(cds(two, SERVICE, token, patientView()).statusCode()).isEqualTo(200);
		two.stop();
		Map<String, String> second = new HashMap<>(environment);
		second.put("LACTATION_CDS_EXAMPLES_LOAD", "false");
		two = ServerProcess.start(directory.resolve("two-again"), second, START);

		assertThat(cds(two, SERVICE, token, patientView()).statusCode()).isEqualTo(401);
		assertThat(cds(two, SERVICE, cdsToken(SERVICE), patientView()).statusCode()).as("still serving").isEqualTo(200);
	}

	private long countOf(String patient) throws Exception {
		HttpResponse<String> answer = fhir(one, "GET", "/fhir/Observation?subject=Patient/" + patient + "&_summary=count",
				fhirToken("system/Observation.s", null), null);
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		return json.readTree(answer.body()).get("total").asLong();
	}

	private long overriddenCount(ServerProcess server) throws Exception {
		String path = SERVICE + "/feedback/summary";
		HttpResponse<String> summary = cds(server, path, "GET", cdsToken(path), null);
		assertThat(summary.statusCode()).as(summary.body()).isEqualTo(200);
		long overridden = 0;
		for (JsonNode rule : json.readTree(summary.body()).get("rules")) {
			overridden += rule.path("overridden").asLong();
		}
		return overridden;
	}

	private void put(String token, String path, String body) throws Exception {
		HttpResponse<String> answer = fhir(one, "PUT", "/fhir/" + path, token, body);
		assertThat(answer.statusCode()).as(answer.body()).isIn(200, 201);
	}

	private String created(HttpResponse<String> answer) throws Exception {
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
		return json.readTree(answer.body()).get("id").asText();
	}

	private static String observation(String subject, String performer) {
		return observation(subject, performer, null);
	}

	private static String observation(String subject, String performer, String id) {
		return "{\"resourceType\":\"Observation\"," + (id == null ? "" : "\"id\":\"" + id + "\",")
				+ "\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"29463-7\"}]},"
				+ "\"subject\":{\"reference\":\"Patient/" + subject + "\"},\"effectiveDateTime\":\"2026-03-01T10:00:00Z\","
				+ (performer == null ? "" : "\"performer\":[{\"reference\":\"Patient/" + performer + "\"}],")
				+ "\"valueQuantity\":{\"value\":3.1,\"unit\":\"kg\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"kg\"}}";
	}

	private static String patientView() {
		return PATIENT_VIEW.formatted(UUID.randomUUID());
	}

	private static String overridden(String card) {
		return "{\"feedback\": [" + item(card, "2026-03-05T10:00:00Z") + "]}";
	}

	private static String item(String card, String time) {
		return "{\"card\": \"%s\", \"outcome\": \"overridden\", \"overrideReason\": {\"userComment\": \"seen\"}, \"outcomeTimestamp\": \"%s\"}"
				.formatted(card, time);
	}

	private static String cdsToken(String path) {
		return TestClients.es384(TestClients.claims(Instant.now()).audience(PUBLIC + path).build());
	}

	private String otherEhrToken(String path) {
		JWTClaimsSet claims = TestClients.claims(Instant.now()).issuer(OTHER_EHR).audience(PUBLIC + path).build();
		return TestClients.withHeader(new JWSHeader.Builder(JWSAlgorithm.ES384).keyID(otherEhrKey.getKeyID()).type(JOSEObjectType.JWT).build(),
				claims, TestClients.signer(otherEhrKey));
	}

	private JWTClaimsSet.Builder fhirClaims(String scope, String patient) {
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
				.issuer(FHIR_ISSUER)
				.subject("client-1")
				.audience(PUBLIC + "/fhir")
				.issueTime(Date.from(Instant.now()))
				.expirationTime(Date.from(Instant.now().plusSeconds(600)))
				.jwtID(UUID.randomUUID().toString())
				.claim("scope", scope);
		if (patient != null) {
			claims.claim("patient", patient);
		}
		return claims;
	}

	private String fhirToken(String scope, String patient) {
		return sign(fhirClaims(scope, patient), JOSEObjectType.JWT);
	}

	private String sign(JWTClaimsSet.Builder claims, JOSEObjectType type) {
		return auth.sign(claims.build(), type);
	}

	private HttpResponse<String> cds(ServerProcess server, String path, String token, String body) throws Exception {
		return cds(server, path, "POST", token, body);
	}

	private HttpResponse<String> cds(ServerProcess server, String path, String method, String token, String body) throws Exception {
		return send(server, method, path, token, body, "application/json");
	}

	private HttpResponse<String> fhir(ServerProcess server, String method, String path, String token, String body) throws Exception {
		return send(server, method, path, token, body, "application/fhir+json");
	}

	private HttpResponse<String> send(ServerProcess server, String method, String path, String token, String body, String type)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
				.timeout(Duration.ofSeconds(120))
				.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
				.header("Content-Type", type)
				.header("Accept", type);
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static ECKey ec(String kid) {
		try {
			return new ECKeyGenerator(Curve.P_384).keyID(kid).generate();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
