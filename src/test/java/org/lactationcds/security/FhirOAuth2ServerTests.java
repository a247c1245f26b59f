package org.lactationcds.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.ServerProcess;
import org.lactationcds.support.StubIssuer;
import org.lactationcds.support.TestHttp;

/** FHIR REST with an OAuth2 issuer configured: bearer JWTs required, SMART scopes enforced, metadata and health open. */
class FhirOAuth2ServerTests {

	static final String ISSUER = "https://auth.example.org";
	static final String AUDIENCE = "https://cds.example.org/fhir";

	@TempDir
	Path workingDirectory;

	/** A key with the issuer's key id that the issuer does not publish: what a forged token is signed with. */
	final RSAKey stranger = StubIssuer.rsa("auth-1");

	@Test
	void fhirRestAcceptsOnlyTheIssuersTokensAndWhatTheirScopesAllow() throws Exception {
		try (StubIssuer auth = StubIssuer.start(ISSUER, AUDIENCE);
				ServerProcess server = ServerProcess.start(workingDirectory, with(auth.fhirEnvironment(),
						"LACTATION_CDS_EXAMPLES_LOAD", "false"), java.time.Duration.ofMinutes(10))) {
			String system = auth.token("system/*.cruds", null);
			String integration = auth.token("system/Observation.rs", null);
			String user = auth.token("user/Observation.rs", null);
			String patientA = auth.token("patient/*.rs", "oa-a");

			assertThat(send(server, "GET", "/fhir/metadata", null, null).statusCode()).isEqualTo(200);
			assertThat(send(server, "GET", "/actuator/health", null, null).statusCode()).isEqualTo(200);
			assertThat(send(server, "GET", "/fhir/Patient", null, null).statusCode()).as("no token").isEqualTo(401);
			assertThat(send(server, "GET", "/fhir/Patient", StubIssuer.sign(stranger, auth.claims("system/*.cruds").build()), null).statusCode())
					.as("token signed by another key").isEqualTo(401);

			assertThat(send(server, "PUT", "/fhir/Patient/oa-a", system, "{\"resourceType\":\"Patient\",\"id\":\"oa-a\"}").statusCode()).isIn(200, 201);
			assertThat(send(server, "PUT", "/fhir/Patient/oa-b", system, "{\"resourceType\":\"Patient\",\"id\":\"oa-b\"}").statusCode()).isIn(200, 201);
			String observation = "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"weight\"},"
					+ "\"subject\":{\"reference\":\"Patient/oa-b\"}}";
			assertThat(send(server, "POST", "/fhir/Observation", system, observation).statusCode()).isEqualTo(201);

			assertThat(send(server, "GET", "/fhir/Observation?patient=oa-b", integration, null).statusCode()).isEqualTo(200);
			assertThat(send(server, "POST", "/fhir/Observation", integration, observation).statusCode()).as("read-only scope").isEqualTo(403);
			assertThat(send(server, "GET", "/fhir/Patient/oa-a", integration, null).statusCode()).as("other type").isEqualTo(403);
			assertThat(send(server, "GET", "/fhir/Observation?patient=oa-b", user, null).statusCode())
					.as("user/ scopes: the server does not know the user's patients").isEqualTo(403);

			assertThat(send(server, "GET", "/fhir/Patient/oa-a", patientA, null).statusCode()).as("own record").isEqualTo(200);
			assertThat(send(server, "GET", "/fhir/Patient/oa-b", patientA, null).statusCode()).as("another patient").isEqualTo(403);
			assertThat(send(server, "GET", "/fhir/Observation?patient=oa-b", patientA, null).statusCode())
					.as("another patient's data").isEqualTo(403);

			// $populate: system/ scopes reading Patient and Observation may; a scope without Patient, or a patient/ token, may not.
			String mother = "{\"resourceType\":\"RelatedPerson\",\"id\":\"oa-rp\",\"patient\":{\"reference\":\"Patient/oa-a\"},"
					+ "\"relationship\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-RoleCode\",\"code\":\"MTH\"}]}]}";
			assertThat(send(server, "PUT", "/fhir/RelatedPerson/oa-rp", system, mother).statusCode()).isIn(200, 201);
			assertThat(send(server, "PUT", "/fhir/Patient/oa-m", system,
					"{\"resourceType\":\"Patient\",\"id\":\"oa-m\",\"link\":[{\"other\":{\"reference\":\"RelatedPerson/oa-rp\"},\"type\":\"seealso\"}]}")
					.statusCode()).isIn(200, 201);
			String populate = "/fhir/Questionnaire/lactation-visit/$populate?subject=Patient/oa-a";
			HttpResponse<String> populated = send(server, "GET", populate, auth.token("system/Patient.r system/Observation.rs", null), null);
			assertThat(populated.statusCode()).as(populated.body()).isEqualTo(200);
			assertThat(populated.body()).contains("QuestionnaireResponse", "Patient/oa-m");
			assertThat(send(server, "GET", populate, integration, null).statusCode()).as("no Patient scope").isEqualTo(403);
			assertThat(send(server, "GET", populate, auth.token("patient/*.rs", "oa-a"), null).statusCode())
					.as("patient/ token: the answer names the mother").isEqualTo(403);

			// lactation-cds.security.patient-scopes-cover-dyad off (the default): the infant's token covers the infant only.
			HttpResponse<String> temperature = send(server, "POST", "/fhir/Observation", system, "{\"resourceType\":\"Observation\","
					+ "\"status\":\"final\",\"code\":{\"text\":\"temperature\"},\"subject\":{\"reference\":\"Patient/oa-m\"}}");
			assertThat(temperature.statusCode()).isEqualTo(201);
			String location = temperature.headers().firstValue("Location").orElseThrow();
			String motherObservation = location.substring(location.indexOf("Observation/")).replaceFirst("/_history/.*", "");
			assertThat(send(server, "GET", "/fhir/" + motherObservation, patientA, null).statusCode())
					.as("the mother's Observation under the infant's token").isEqualTo(403);
			assertThat(send(server, "GET", "/fhir/Observation?patient=oa-m", patientA, null).statusCode())
					.as("a search for the mother's data under the infant's token").isEqualTo(403);
			String visit = PatientScopesCoverDyadServerTests.visit("oa-m", "oa-a");
			assertThat(send(server, "POST", "/fhir/QuestionnaireResponse/$submit-visit", auth.token("launch patient/*.cruds", "oa-a"), visit)
					.statusCode()).as("a patient/ token records no visit").isEqualTo(403);
			assertThat(total(server, "/fhir/QuestionnaireResponse?subject=Patient/oa-m&_summary=count", system)).isZero();
			HttpResponse<String> recorded = send(server, "POST", "/fhir/QuestionnaireResponse/$submit-visit", system, visit);
			assertThat(recorded.statusCode()).as("system/ scopes creating Observation and QuestionnaireResponse: " + recorded.body())
					.isEqualTo(200);
			assertThat(total(server, "/fhir/QuestionnaireResponse?subject=Patient/oa-m&_summary=count", system)).isEqualTo(1);
		} finally {
		}
	}

	private static Map<String, String> with(Map<String, String> environment, String key, String value) {
		Map<String, String> all = new HashMap<>(environment);
		all.put(key, value);
		return all;
	}

	private static HttpResponse<String> send(ServerProcess server, String method, String path, String token, String body) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
				.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
				.header("Content-Type", "application/fhir+json");
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return TestHttp.send(request);
	}

	private static int total(ServerProcess server, String search, String token) throws Exception {
		HttpResponse<String> response = send(server, "GET", search, token, null);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return PatientScopesCoverDyadServerTests.FHIR.newJsonParser().parseResource(org.hl7.fhir.r4.model.Bundle.class, response.body())
				.getTotal();
	}
}
