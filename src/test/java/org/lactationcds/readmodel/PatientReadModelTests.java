package org.lactationcds.readmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lactationcds.dyad.LocalStoreReads;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The CDS path's reads through the read model give what the store holds after every kind of write. */
@PostgresIntegrationTest
class PatientReadModelTests {

	@Autowired
	FhirContext fhirContext;

	@Autowired
	LocalStoreReads reads;

	@Autowired
	PatientDataVersions versions;

	@Autowired
	MeterRegistry meters;

	@LocalServerPort
	int port;

	FhirTestClient client;
	String key;

	@BeforeEach
	void connect() {
		client = new FhirTestClient(fhirContext, port);
		key = "rm" + UUID.randomUUID().toString().substring(0, 8);
	}

	@Test
	void readsReflectCreateUpdateEnteredInErrorAndDeleteAtOnce() {
		String patient = patient(key);
		assertThat(grams(patient)).isEmpty();

		client.fhir().update().resource(weight(key + "-w", patient, 3100)).execute();
		assertThat(grams(patient)).containsExactly("3100:final");

		client.fhir().update().resource(weight(key + "-w", patient, 3050)).execute();
		assertThat(grams(patient)).containsExactly("3050:final");

		Observation wrong = weight(key + "-w", patient, 3050);
		wrong.setStatus(Observation.ObservationStatus.ENTEREDINERROR);
		client.fhir().update().resource(wrong).execute();
		assertThat(grams(patient)).containsExactly("3050:entered-in-error");

		client.fhir().delete().resourceById("Observation", key + "-w").execute();
		assertThat(grams(patient)).isEmpty();
	}

	@Test
	void unchangedDataIsServedFromMemoryAsCopies() {
		String patient = patient(key);
		client.fhir().update().resource(weight(key + "-w", patient, 3100)).execute();
		String query = "Observation?patient=" + patient;
		reads.forCall().fetch(query);
		double hitsBefore = hits();

		List<Resource> first = reads.forCall().fetch(query);
		((Observation) first.get(0)).setStatus(Observation.ObservationStatus.CANCELLED);
		List<Resource> second = reads.forCall().fetch(query);

		assertThat(hits() - hitsBefore).isEqualTo(2);
		assertThat(((Observation) second.get(0)).getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
	}

	@Test
	void patientResourceUpdateIsSeen() {
		String patient = patient(key);
		assertThat(reads.forCall().fetch("Patient/" + patient)).singleElement()
				.satisfies(found -> assertThat(((Patient) found).getGender()).isEqualTo(AdministrativeGender.FEMALE));

		Patient changed = new Patient();
		changed.setId(patient);
		changed.setGender(AdministrativeGender.OTHER);
		client.fhir().update().resource(changed).execute();

		assertThat(reads.forCall().fetch("Patient/" + patient)).singleElement()
				.satisfies(found -> assertThat(((Patient) found).getGender()).isEqualTo(AdministrativeGender.OTHER));
	}

	@Test
	void transactionIsSeenForEveryPatientItTouchesAndBumpsEachOnce() {
		String mother = patient(key + "-m");
		String infant = patient(key + "-i");
		grams(mother);
		grams(infant);
		long motherBefore = versions.current(mother);

		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Observation observation : List.of(weight(key + "-a", infant, 3300), weight(key + "-b", infant, 3250),
				weight(key + "-c", mother, 70000))) {
			transaction.addEntry().setFullUrl(client.baseUrl() + "/fhir/Observation/" + observation.getIdElement().getIdPart())
					.setResource(observation).getRequest().setMethod(Bundle.HTTPVerb.PUT)
					.setUrl("Observation/" + observation.getIdElement().getIdPart());
		}
		client.fhir().transaction().withBundle(transaction).execute();

		assertThat(grams(infant)).containsExactlyInAnyOrder("3300:final", "3250:final");
		assertThat(grams(mother)).containsExactly("70000:final");
		assertThat(versions.current(mother)).isEqualTo(motherBefore + 1);
	}

	@Test
	void failedTransactionChangesNeitherDataNorVersion() {
		String patient = patient(key);
		grams(patient);
		long before = versions.current(patient);

		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		transaction.addEntry().setFullUrl(client.baseUrl() + "/fhir/Observation/" + key + "-a")
				.setResource(weight(key + "-a", patient, 3300)).getRequest().setMethod(Bundle.HTTPVerb.PUT)
				.setUrl("Observation/" + key + "-a");
		transaction.addEntry().setFullUrl(client.baseUrl() + "/fhir/Observation/" + key + "-b")
				.setResource(weight(key + "-b", "no-such-patient-" + key, 3300)).getRequest()
				.setMethod(Bundle.HTTPVerb.PUT).setUrl("Observation/" + key + "-b");
		assertThatThrownBy(() -> client.fhir().transaction().withBundle(transaction).execute())
				.isInstanceOf(BaseServerResponseException.class);

		assertThat(versions.current(patient)).isEqualTo(before);
		assertThat(grams(patient)).isEmpty();
	}

	@Test
	void observationMovedToAnotherPatientLeavesTheFirstAndReachesTheSecond() {
		String first = patient(key + "-1");
		String second = patient(key + "-2");
		client.fhir().update().resource(weight(key + "-w", first, 3100)).execute();
		assertThat(grams(first)).containsExactly("3100:final");
		assertThat(grams(second)).isEmpty();

		client.fhir().update().resource(weight(key + "-w", second, 3100)).execute();

		assertThat(grams(first)).isEmpty();
		assertThat(grams(second)).containsExactly("3100:final");
	}

	private List<String> grams(String patient) {
		return reads.forCall().fetch("Observation?patient=" + patient + "&_sort=-date&_count=200").stream()
				.map(Observation.class::cast)
				.map(observation -> observation.getValueQuantity().getValue().intValue() + ":" + observation.getStatus().toCode())
				.toList();
	}

	private double hits() {
		return meters.counter(PatientReadModel.READS, "result", "hit").count();
	}

	private String patient(String id) {
		Patient patient = new Patient();
		patient.setId(id);
		patient.setGender(AdministrativeGender.FEMALE);
		client.fhir().update().resource(patient).execute();
		return id;
	}

	private static Observation weight(String id, String patient, int grams) {
		Observation observation = new Observation();
		observation.setId(id);
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.setCode(new CodeableConcept(new Coding("http://loinc.org", "29463-7", null)));
		observation.setSubject(new Reference("Patient/" + patient));
		observation.setValue(new Quantity().setValue(new BigDecimal(grams)).setSystem("http://unitsofmeasure.org").setCode("g").setUnit("g"));
		return observation;
	}
}
