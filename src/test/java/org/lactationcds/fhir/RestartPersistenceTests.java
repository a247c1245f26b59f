package org.lactationcds.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
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

/** Data written survives a restart of the server process, on the embedded default and on PostgreSQL. */
class RestartPersistenceTests {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@TempDir
	Path workingDirectory;

	@Test
	void restartWhenRunOnTheEmbeddedDefaultKeepsDataInTheDataDirectory() {
		assertDataSurvivesRestart(Map.of());

		assertThat(workingDirectory.resolve("data/lactation-cds.mv.db")).exists();
	}

	@Test
	void restartWhenRunOnPostgresThroughSpringVariablesKeepsData() {
		PostgresTestServer.TestDatabase database = PostgresTestServer.get().createDatabase();

		assertDataSurvivesRestart(Map.of(
				"SPRING_DATASOURCE_URL", database.url(),
				"SPRING_DATASOURCE_USERNAME", database.username(),
				"SPRING_DATASOURCE_PASSWORD", database.password()));

		assertThat(workingDirectory.resolve("data")).doesNotExist();
	}

	private void assertDataSurvivesRestart(Map<String, String> environment) {
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
		}
	}

	private static IGenericClient client(ServerProcess server) {
		FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		return FHIR.newRestfulGenericClient(server.baseUrl() + "/fhir");
	}
}
