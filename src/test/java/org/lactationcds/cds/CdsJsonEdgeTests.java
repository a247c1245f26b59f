package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
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

/** Every answer of the CDS edge is JSON, every error {error, message}, whatever the client asked for or mistyped. */
@PostgresIntegrationTest
class CdsJsonEdgeTests {

	@Autowired
	FhirContext fhirContext;

	@LocalServerPort
	int port;

	FhirTestClient client;

	@BeforeEach
	void connect() {
		client = new FhirTestClient(fhirContext, port);
	}

	@Test
	void discoveryWithATrailingSlashIsAJsonErrorThatNamesTheRightUrl() {
		HttpResponse<String> response = client.get("/cds-services/");

		assertJsonError(response, 404, "Not Found");
		assertThat(error(response).get("message").asText()).contains("discovery is GET /cds-services");
	}

	@ParameterizedTest
	@ValueSource(strings = {"application/fhir+json", "text/html", "application/xml"})
	void anyAcceptHeaderGetsJsonErrorsAndJsonAnswers(String accept) {
		HttpResponse<String> unknown = send(HttpRequest.newBuilder(client.uri("/cds-services/no-such-service"))
				.header("Accept", accept).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{}")));
		HttpResponse<String> invalid = send(HttpRequest.newBuilder(client.uri("/cds-services/lactation-patient-view"))
				.header("Accept", accept).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"hook\": \"patient-view\"")));
		HttpResponse<String> discovery = send(HttpRequest.newBuilder(client.uri("/cds-services")).header("Accept", accept).GET());

		assertJsonError(unknown, 404, "Not Found");
		assertThat(error(unknown).get("message").asText()).contains("no-such-service");
		assertJsonError(invalid, 400, "Bad Request");
		assertThat(discovery.statusCode()).isEqualTo(200);
		assertThat(discovery.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
		assertThat(CdsCall.read(discovery.body()).get("services")).isNotEmpty();
	}

	@Test
	void aMethodThePathDoesNotTakeIsAJsonErrorNamingTheAllowedOne() {
		HttpResponse<String> response = client.get("/cds-services/lactation-patient-view");

		assertJsonError(response, 405, "Method Not Allowed");
		assertThat(error(response).get("message").asText()).contains("GET", "POST");
	}

	@Test
	void unknownPathsUnderTheEdgeAreJsonErrors() {
		assertJsonError(send(HttpRequest.newBuilder(client.uri("/cds-services/a/b/c")).header("Accept", "text/html").GET()),
				404, "Not Found");
		assertJsonError(send(HttpRequest.newBuilder(client.uri("/cds-services/lactation-patient-view/"))
				.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))), 404, "Not Found");
	}

	@Test
	void noOpenApiEndpointPromisesWhatItCannotServe() {
		assertThat(client.get("/v3/api-docs").statusCode()).isEqualTo(404);
		assertThat(client.get("/swagger-ui.html").statusCode()).isEqualTo(404);
		assertThat(client.get("/swagger-ui/index.html").statusCode()).isEqualTo(404);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		return client.send(request);
	}

	private static JsonNode error(HttpResponse<String> response) {
		return CdsCall.read(response.body());
	}

	private static void assertJsonError(HttpResponse<String> response, int status, String error) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).as("content type of " + response.body())
				.hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
		JsonNode body = CdsCall.read(response.body());
		assertThat(body.get("error").asText()).isEqualTo(error);
		assertThat(body.get("message").asText()).isNotBlank();
		assertThat(body.size()).as("only error and message: " + response.body()).isEqualTo(2);
	}
}
