package org.lactationcds.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.ClinicVisit;
import org.lactationcds.support.PostgresTestServer;
import org.lactationcds.support.ServerProcess;

/** A server killed (SIGKILL) in the middle of ingest loses no committed visit, half-writes none, and starts again. */
class CrashSafetyTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();

	@TempDir
	Path workingDirectory;

	@Test
	void killedDuringIngestOnPostgresKeepsEveryCommittedVisitWholeAndRestartsCleanly() throws Exception {
		PostgresTestServer.TestDatabase database = PostgresTestServer.get().createDatabase();
		Map<String, String> environment = Map.of(
				"SPRING_DATASOURCE_URL", database.url(),
				"SPRING_DATASOURCE_USERNAME", database.username(),
				"SPRING_DATASOURCE_PASSWORD", database.password());
		List<String> committed = new CopyOnWriteArrayList<>();
		List<String> sent = new CopyOnWriteArrayList<>();
		AtomicBoolean stop = new AtomicBoolean();

		try (ServerProcess first = ServerProcess.start(workingDirectory, environment)) {
			IGenericClient client = client(first);
			Thread ingest = new Thread(() -> {
				for (int i = 0; !stop.get(); i++) {
					String key = "crash-" + i;
					sent.add(key);
					try {
						client.transaction().withBundle(ClinicVisit.transaction(key)).execute();
						committed.add(key);
					} catch (RuntimeException e) {
						return; // the server died under this request: it may or may not have committed
					}
				}
			});
			ingest.start();
			while (committed.size() < 15) {
				Thread.sleep(50);
			}
			first.kill();
			stop.set(true);
			ingest.join(30_000);
		}

		try (ServerProcess second = ServerProcess.start(workingDirectory, environment)) {
			IGenericClient client = client(second);
			for (String key : sent) {
				int mothers = count(client, Patient.class, "mom-" + key);
				int observations = client.search().forResource(Observation.class)
						.where(Observation.IDENTIFIER.exactly().systemAndCode(ClinicVisit.OBSERVATION_IDS, key + "-0"))
						.returnBundle(Bundle.class).execute().getEntry().size();
				if (committed.contains(key)) {
					assertThat(mothers).as("committed visit %s", key).isEqualTo(1);
				}
				// Atomic: a visit is there whole (mother and her first observation) or not at all.
				assertThat(observations).as("visit %s atomic", key).isEqualTo(mothers);
			}
			assertThat(client.transaction().withBundle(ClinicVisit.transaction("after-crash")).execute().getEntry()).hasSize(13);
		}
	}

	private static int count(IGenericClient client, Class<Patient> type, String identifier) {
		return client.search().forResource(type)
				.where(Patient.IDENTIFIER.exactly().systemAndCode(ClinicVisit.PATIENT_IDS, identifier))
				.returnBundle(Bundle.class).execute().getEntry().size();
	}

	private static IGenericClient client(ServerProcess server) {
		FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		return FHIR.newRestfulGenericClient(server.baseUrl() + "/fhir");
	}
}
