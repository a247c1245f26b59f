package org.lactationcds.cds.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.ServerProcess;
import org.lactationcds.support.TestHttp;

/** The server as an administrator starts it: refusing an open door, and trusting exactly the registered EHR. */
class SecurityModesServerTests {

	static final String PATIENT_VIEW = """
			{"hookInstance": "0b4a2c3e-5d6f-4a7b-8c9d-0e1f2a3b4c5d", "hook": "patient-view",
			 "context": {"userId": "Practitioner/demo", "patientId": "demo-wl-mother"}%s}""";

	@TempDir
	Path workingDirectory;

	@Test
	void boundToAllInterfacesWithoutTrustItRefusesToStartAndSaysWhatIsMissing() {
		ServerProcess.Failure failure = ServerProcess.startExpectingFailure(workingDirectory, Map.of("SERVER_ADDRESS", "0.0.0.0"));

		assertThat(failure.exitCode()).isNotZero();
		assertThat(failure.log()).contains("Refusing to start", "LACTATION_CDS_SECURITY_MODE=open",
				"LACTATION_CDS_SECURITY_CDS_CLIENTS_FILE");
	}

	@Test
	void withTrustedClientsOnlyTheirFreshJwtsForTheUrlCalledGetIn() throws Exception {
		Path clients = workingDirectory.resolve("cds-clients.json");
		Files.writeString(clients, """
				{"clients": [{"iss": "%s", "jwks": %s, "fhirServers": ["https://ehr.example.org/fhir"], "localStore": true}]}"""
				.formatted(TestClients.ISSUER, new JWKSet(List.of(TestClients.RSA.toPublicJWK(), TestClients.EC.toPublicJWK()))
						.toString(true)));

		try (ServerProcess server = ServerProcess.start(workingDirectory, Map.of(
				"LACTATION_CDS_SECURITY_CDS_CLIENTS_FILE", clients.toString(),
				"LACTATION_CDS_PUBLIC_BASE_URL", "https://cds.example.org"), java.time.Duration.ofMinutes(10))) {
			String discoveryToken = TestClients.es384(TestClients.claims(Instant.now()).audience("https://cds.example.org/cds-services").build());
			String callToken = TestClients.rs384(TestClients.claims(Instant.now()).build());

			assertThat(get(server, "/cds-services", null).statusCode()).isEqualTo(401);
			assertThat(get(server, "/cds-services", discoveryToken).statusCode()).isEqualTo(200);
			assertThat(post(server, PATIENT_VIEW.formatted(""), null).statusCode()).isEqualTo(401);
			HttpResponse<String> call = post(server, PATIENT_VIEW.formatted(""), callToken);
			assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
			assertThat(call.body()).contains("RF-INFANT-WEIGHT-LOSS");
			assertThat(post(server, PATIENT_VIEW.formatted(""), callToken).statusCode()).as("replayed jti").isEqualTo(401);
			HttpResponse<String> elsewhere = post(server, PATIENT_VIEW.formatted(", \"fhirServer\": \"http://169.254.169.254/latest\""),
					TestClients.rs384(TestClients.claims(Instant.now()).build()));
			assertThat(elsewhere.statusCode()).as("fhirServer off the allow-list").isEqualTo(403);
			assertThat(get(server, "/fhir/metadata", null).statusCode()).isEqualTo(200);
			assertThat(get(server, "/actuator/health", null).statusCode()).isEqualTo(200);
			assertThat(server.log()).contains("CDS call refused").doesNotContain(callToken);
		}
	}

	private static HttpResponse<String> get(ServerProcess server, String path, String token) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).GET();
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return TestHttp.send(request);
	}

	private static HttpResponse<String> post(ServerProcess server, String body, String token) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/cds-services/lactation-patient-view"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return TestHttp.send(request);
	}
}
