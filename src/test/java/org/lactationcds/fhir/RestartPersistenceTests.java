package org.lactationcds.fhir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.nio.file.Path;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.ClinicVisit;
import org.lactationcds.support.PostgresTestServer;
import org.lactationcds.support.ServerProcess;
import org.lactationcds.support.TestHttp;

/** Data written survives a restart of the server process, on the embedded default and on PostgreSQL. */
class RestartPersistenceTests {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@TempDir
	Path workingDirectory;

	@Test
	void restartWhenRunOnTheEmbeddedDefaultKeepsDataInTheDataDirectory() {
		assertDataSurvivesRestart(Map.of(), true);

		assertThat(workingDirectory.resolve("data/lactation-cds.mv.db")).exists();
	}

	@Test
	void restartWhenRunOnPostgresThroughSpringVariablesKeepsData() {
		PostgresTestServer.TestDatabase database = PostgresTestServer.get().createDatabase();

		assertDataSurvivesRestart(Map.of(
				"SPRING_DATASOURCE_URL", database.url(),
				"SPRING_DATASOURCE_USERNAME", database.username(),
				"SPRING_DATASOURCE_PASSWORD", database.password()), false);

		assertThat(workingDirectory.resolve("data")).doesNotExist();
	}

	/** Also: the demo dyads are there on the embedded default (a first CDS call gives a card) and not on PostgreSQL. */
	private void assertDataSurvivesRestart(Map<String, String> environment, boolean demoData) {
		IdType weightId;
		try (ServerProcess first = ServerProcess.start(workingDirectory, environment)) {
			Bundle visit = client(first).transaction().withBundle(ClinicVisit.transaction("restart")).execute();
			weightId = new IdType(visit.getEntry().get(4).getResponse().getLocation()).toUnqualifiedVersionless();
			first.stop();
		}

		try (ServerProcess second = ServerProcess.start(workingDirectory, environment)) {
			IGenericClient client = client(second);
			Observation weight = client.read().resource(Observation.class).withId(weightId).execute();
			assertThat(weight.getValueQuantity().getValue().intValue()).isEqualTo(3400);
			Bundle mothers = client.search().forResource(Patient.class)
					.where(Patient.IDENTIFIER.exactly().systemAndCode(ClinicVisit.PATIENT_IDS, "mom-restart"))
					.returnBundle(Bundle.class)
					.execute();
			assertThat(mothers.getEntry()).hasSize(1);
			assertDemoData(second, demoData);
		}
	}

	private static void assertDemoData(ServerProcess server, boolean expected) {
		String call = """
				{"hookInstance": "0b4a2c3e-5d6f-4a7b-8c9d-0e1f2a3b4c5d", "hook": "patient-view",
				 "context": {"userId": "Practitioner/demo", "patientId": "demo-wl-mother"}}""";
		HttpResponse<String> response = http(server, call);
		if (expected) {
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			assertThat(response.body()).contains("\"code\":\"RF-INFANT-WEIGHT-LOSS\"", "\"indicator\":\"critical\"");
		} else {
			assertThat(response.statusCode()).as("demo patient absent off the embedded default").isEqualTo(412);
		}
	}

	private static HttpResponse<String> http(ServerProcess server, String body) {
		return TestHttp.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/cds-services/lactation-patient-view"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	private static IGenericClient client(ServerProcess server) {
		return TestHttp.fhirClient(FHIR, server.baseUrl() + "/fhir");
	}
}
