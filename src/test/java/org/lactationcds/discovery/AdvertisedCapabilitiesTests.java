package org.lactationcds.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The unauthenticated FHIR server (no issuers): no administrative operation advertised or offered, no SMART claims. */
@PostgresIntegrationTest
class AdvertisedCapabilitiesTests {

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
	void metadataAdvertisesNoAdministrativeOperationAnywhere() {
		HttpResponse<String> response = client.get("/fhir/metadata");
		CapabilityStatement capabilities = fhirContext.newJsonParser().parseResource(CapabilityStatement.class, response.body());

		List<String> advertised = capabilities.getRest().stream()
				.flatMap(rest -> Stream.concat(rest.getOperation().stream().map(operation -> operation.getName()),
						rest.getResource().stream().flatMap(resource -> resource.getOperation().stream().map(operation -> operation.getName()))))
				.distinct().toList();
		assertThat(advertised).doesNotContain("expunge", "mark-all-resources-for-reindexing", "perform-reindexing-pass",
				"reindex", "reindex-terminology", "get-resource-counts", "hapi.fhir.replace-references");
		assertThat(advertised).as("clinical operations stay").contains("validate", "meta");
		assertThat(response.body()).doesNotContain("expunge", "reindex");
		assertThat(capabilities.getRestFirstRep().getSecurity().getService()).as("no OAuth2 configured").isEmpty();
		assertThat(capabilities.getRestFirstRep().getSecurity().getCors()).as("the sandbox origin is allowed").isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = {"/fhir/$mark-all-resources-for-reindexing", "/fhir/$expunge", "/fhir/Patient/$expunge",
			"/fhir/$reindex-terminology", "/fhir/$perform-reindexing-pass", "/fhir/$get-resource-counts"})
	void administrativeOperationsAreRefusedWithAnOperationOutcome(String path) {
		HttpResponse<String> response = client.post(path, "application/fhir+json",
				"{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"expungeEverything\",\"valueBoolean\":true}]}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
		assertThat(response.body()).contains("OperationOutcome", "administrative operation");
	}

	@Test
	void withoutOAuth2IssuersThereIsNoSmartConfiguration() {
		HttpResponse<String> response = client.get("/fhir/.well-known/smart-configuration");

		assertThat(response.statusCode()).isBetween(400, 404);
		assertThat(response.body()).contains("OperationOutcome").doesNotContain("token_endpoint");
	}
}
