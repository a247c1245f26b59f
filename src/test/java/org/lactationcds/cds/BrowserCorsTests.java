package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * CORS as a browser at the default allowed origin (the CDS Hooks sandbox) meets it, on /fhir and /cds-services. The
 * browser itself is in {@code SandboxBrowserTests}; here the headers a browser decides on.
 */
@PostgresIntegrationTest
class BrowserCorsTests {

	static final String SANDBOX = "https://sandbox.cds-hooks.org";

	@Autowired
	FhirContext fhirContext;

	@LocalServerPort
	int port;

	FhirTestClient client;

	@BeforeEach
	void connect() {
		client = new FhirTestClient(fhirContext, port);
	}

	@ParameterizedTest
	@ValueSource(strings = {"GET", "POST", "PUT", "PATCH", "DELETE"})
	void fhirPreflightFromTheSandboxAllowsEveryMethodWithABearerToken(String method) {
		HttpResponse<String> preflight = preflight("/fhir/Patient/cors-1", SANDBOX, method, "authorization,content-type,if-match");

		assertThat(preflight.statusCode()).as(preflight.body()).isEqualTo(200);
		assertThat(header(preflight, "Access-Control-Allow-Origin")).isEqualTo(SANDBOX);
		assertThat(header(preflight, "Access-Control-Allow-Methods")).contains(method);
		assertThat(header(preflight, "Access-Control-Allow-Headers").toLowerCase())
				.contains("authorization", "content-type", "if-match");
	}

	@Test
	void fhirBaseItselfAnswersPreflightForATransaction() {
		HttpResponse<String> preflight = preflight("/fhir", SANDBOX, "POST", "content-type");

		assertThat(preflight.statusCode()).isEqualTo(200);
		assertThat(header(preflight, "Access-Control-Allow-Origin")).isEqualTo(SANDBOX);
	}

	@Test
	void actualFhirResponsesCarryTheOriginAndExposeLocationAndETag() {
		HttpResponse<String> created = client.send(HttpRequest.newBuilder(client.uri("/fhir/Patient"))
				.header("Origin", SANDBOX).header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Patient\",\"birthDate\":\"2026-01-02\"}")));
		HttpResponse<String> metadata = client.send(HttpRequest.newBuilder(client.uri("/fhir/metadata")).header("Origin", SANDBOX).GET());

		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(header(created, "Access-Control-Allow-Origin")).isEqualTo(SANDBOX);
		assertThat(header(created, "Access-Control-Expose-Headers")).contains("Location", "ETag", "Content-Location");
		assertThat(metadata.statusCode()).isEqualTo(200);
		assertThat(header(metadata, "Access-Control-Allow-Origin")).isEqualTo(SANDBOX);
	}

	@Test
	void cdsServicePreflightFromTheSandboxAllowsAPostWithAJwt() {
		HttpResponse<String> preflight = preflight("/cds-services/lactation-patient-view", SANDBOX, "POST", "authorization,content-type");

		assertThat(preflight.statusCode()).isEqualTo(200);
		assertThat(header(preflight, "Access-Control-Allow-Origin")).isEqualTo(SANDBOX);
		assertThat(header(preflight, "Access-Control-Allow-Methods")).contains("POST");
	}

	@Test
	void theHostedSandboxMayCallAServerOnAPrivateNetwork() {
		HttpResponse<String> preflight = client.send(HttpRequest.newBuilder(client.uri("/cds-services"))
				.header("Origin", SANDBOX)
				.header("Access-Control-Request-Method", "GET")
				.header("Access-Control-Request-Private-Network", "true")
				.method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

		assertThat(preflight.statusCode()).isEqualTo(200);
		assertThat(header(preflight, "Access-Control-Allow-Private-Network")).isEqualTo("true");
	}

	@Test
	void anOriginNotConfiguredIsRefusedInEachEdgesOwnErrorFormat() {
		HttpResponse<String> fhir = preflight("/fhir/Patient", "https://elsewhere.example", "GET", "authorization");
		HttpResponse<String> cds = preflight("/cds-services", "https://elsewhere.example", "GET", "authorization");

		assertThat(fhir.statusCode()).isEqualTo(403);
		assertThat(fhir.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		assertThat(fhir.body()).contains("\"resourceType\":\"OperationOutcome\"", "forbidden");
		assertThat(cds.statusCode()).isEqualTo(403);
		assertThat(CdsCall.read(cds.body()).get("error").asText()).isEqualTo("Forbidden");
	}

	private HttpResponse<String> preflight(String path, String origin, String method, String headers) {
		return client.send(HttpRequest.newBuilder(client.uri(path))
				.header("Origin", origin)
				.header("Access-Control-Request-Method", method)
				.header("Access-Control-Request-Headers", headers)
				.method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
	}

	private static String header(HttpResponse<String> response, String name) {
		return response.headers().firstValue(name).orElse("(no " + name + ")");
	}
}
