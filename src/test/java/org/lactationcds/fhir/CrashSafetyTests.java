package org.lactationcds.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.ClinicVisit;
import org.lactationcds.support.PostgresTestServer;
import org.lactationcds.support.ServerProcess;
import org.lactationcds.support.TestHttp;

/** A server killed (SIGKILL) in the middle of ingest loses no committed visit, half-writes none, and starts again. */
class CrashSafetyTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static final int VISITS_BEFORE_KILL = 15;
	/** Fifteen visits take seconds on an idle machine; this is for a loaded one, and says so when it gives up. */
	static final Duration INGEST_DEADLINE = Duration.ofMinutes(5);

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
			// Ready for writes, not only ready: the first transaction on a fresh schema is slow on a loaded machine.
			assertThat(client.transaction().withBundle(ClinicVisit.transaction("crash-warm-up")).execute().getEntry())
					.hasSize(13);
			AtomicReference<RuntimeException> ingestFailure = new AtomicReference<>();
			Thread ingest = new Thread(() -> {
				for (int i = 0; !stop.get(); i++) {
					String key = "crash-" + i;
					sent.add(key);
					try {
						client.transaction().withBundle(ClinicVisit.transaction(key)).execute();
						committed.add(key);
					} catch (RuntimeException e) {
						ingestFailure.set(e); // the server died under this request: it may or may not have committed
						return;
					}
				}
			}, "crash-safety-ingest");
			ingest.start();
			Instant deadline = Instant.now().plus(INGEST_DEADLINE);
			while (committed.size() < VISITS_BEFORE_KILL) {
				if (!ingest.isAlive()) {
					throw new AssertionError("ingest stopped after " + committed.size() + " committed visits, before the kill",
							ingestFailure.get());
				}
				if (Instant.now().isAfter(deadline)) {
					throw new AssertionError("only " + committed.size() + " of " + VISITS_BEFORE_KILL
							+ " visits committed within " + INGEST_DEADLINE + "; server log:\n" + first.log());
				}
				Thread.sleep(50);
			}
			first.kill();
			stop.set(true);
			ingest.join(Duration.ofSeconds(30).toMillis());
			assertThat(ingest.isAlive()).as("ingest thread ended after the kill").isFalse();
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
		return TestHttp.fhirClient(FHIR, server.baseUrl() + "/fhir");
	}
}
