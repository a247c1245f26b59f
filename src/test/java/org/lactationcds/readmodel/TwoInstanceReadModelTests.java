package org.lactationcds.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.PostgresTestServer;
import org.lactationcds.support.ServerProcess;
import org.lactationcds.support.TestHttp;

/**
 * Two server processes on one PostgreSQL database, as behind a load balancer: a write through one is in the next
 * CDS answer of the other, which had the patient's data in memory from an earlier call.
 */
class TwoInstanceReadModelTests {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final ObjectMapper JSON = new ObjectMapper();
	private static final String WEIGHT_LOSS = "RF-INFANT-WEIGHT-LOSS";

	@TempDir
	Path workingDirectory;

	@Test
	void writeOnOneInstanceIsInTheNextCdsAnswerOfTheOther() {
		PostgresTestServer.TestDatabase database = PostgresTestServer.get().createDatabase();
		Map<String, String> environment = Map.of(
				"SPRING_DATASOURCE_URL", database.url(),
				"SPRING_DATASOURCE_USERNAME", database.username(),
				"SPRING_DATASOURCE_PASSWORD", database.password());
		// One after the other: both would create HAPI's schema on the empty database at once.
		try (ServerProcess writer = ServerProcess.start(workingDirectory.resolve("a"), environment);
				ServerProcess reader = ServerProcess.start(workingDirectory.resolve("b"), environment)) {
			IGenericClient fhir = TestHttp.fhirClient(FHIR, writer.baseUrl() + "/fhir");
			String key = "ti" + UUID.randomUUID().toString().substring(0, 8);
			Instant now = Instant.now();
			storeDyad(fhir, writer.baseUrl() + "/fhir", key, now);
			fhir.update().resource(weight(key + "-w", key + "-inf", 3450, now)).execute();
			assertThat(weightLossCard(reader, key)).as("1.4 % loss").isNull();
			assertThat(weightLossCard(reader, key)).as("again, from memory").isNull();

			fhir.update().resource(weight(key + "-w", key + "-inf", 3100, now)).execute();
			JsonNode card = weightLossCard(reader, key);
			assertThat(card).as("11.4 % loss written on the other instance").isNotNull();
			assertThat(card.get("indicator").asText()).isEqualTo("critical");

			Observation wrong = weight(key + "-w", key + "-inf", 3100, now);
			wrong.setStatus(Observation.ObservationStatus.ENTEREDINERROR);
			fhir.update().resource(wrong).execute();
			assertThat(weightLossCard(reader, key)).as("weight marked entered-in-error on the other instance").isNull();

			fhir.update().resource(weight(key + "-w", key + "-inf", 3100, now)).execute();
			assertThat(weightLossCard(reader, key)).as("weight corrected back").isNotNull();
			fhir.delete().resourceById("Observation", key + "-w").execute();
			assertThat(weightLossCard(reader, key)).as("weight deleted on the other instance").isNull();
		}
	}

	/** The weight-loss card of a patient-view on the mother, or null. */
	private static JsonNode weightLossCard(ServerProcess server, String key) {
		String body = "{\"hookInstance\":\"" + UUID.randomUUID() + "\",\"hook\":\"patient-view\",\"context\":{"
				+ "\"userId\":\"Practitioner/example\",\"patientId\":\"" + key + "-mom\"}}";
		HttpResponse<String> response = TestHttp.send(HttpRequest.newBuilder(
						URI.create(server.baseUrl() + "/cds-services/lactation-patient-view"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body)));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		try {
			for (JsonNode card : JSON.readTree(response.body()).get("cards")) {
				if (WEIGHT_LOSS.equals(card.at("/source/topic/code").asText())) {
					return card;
				}
			}
			return null;
		} catch (IOException e) {
			throw new IllegalStateException("not JSON: " + response.body(), e);
		}
	}

	/** A mother and her 4-day-old infant (birth weight 3500 g), linked as clinical-rules.md section 0.2 says. */
	private static void storeDyad(IGenericClient fhir, String fhirBase, String key, Instant now) {
		Instant birth = now.minus(Duration.ofDays(4));
		Patient infant = new Patient();
		infant.setId(key + "-inf");
		DateType birthDate = new DateType(birth.toString().substring(0, 10));
		birthDate.addExtension("http://hl7.org/fhir/StructureDefinition/patient-birthTime", new DateTimeType(birth.toString()));
		infant.setBirthDateElement(birthDate);
		RelatedPerson link = new RelatedPerson();
		link.setId(key + "-rp");
		link.setPatient(new Reference("Patient/" + key + "-inf"));
		link.addRelationship(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother")));
		Patient mother = new Patient();
		mother.setId(key + "-mom");
		mother.addLink().setOther(new Reference("RelatedPerson/" + key + "-rp")).setType(Patient.LinkType.SEEALSO);
		Observation birthWeight = grams(key + "-bw", key + "-inf", "8339-4", 3500);
		birthWeight.setEffective(new DateTimeType(birth.toString()));
		Observation breastfeeding = new Observation();
		breastfeeding.setId(key + "-bf");
		breastfeeding.setStatus(Observation.ObservationStatus.FINAL);
		breastfeeding.setCode(new CodeableConcept(new Coding("http://loinc.org", "63895-7", null)));
		breastfeeding.setSubject(new Reference("Patient/" + key + "-mom"));
		breastfeeding.setEffective(new DateTimeType(now.minus(Duration.ofHours(3)).toString()));
		breastfeeding.setValue(new CodeableConcept(new Coding("http://loinc.org", "LA29252-6", "Breastfeeding")));
		List<Resource> resources = new ArrayList<>(List.of(infant, link, mother, birthWeight, breastfeeding));
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource resource : resources) {
			transaction.addEntry().setFullUrl(fhirBase + "/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart()).setResource(resource).getRequest()
					.setMethod(Bundle.HTTPVerb.PUT)
					.setUrl(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
		}
		fhir.transaction().withBundle(transaction).execute();
	}

	private static Observation weight(String id, String infant, int grams, Instant now) {
		Observation observation = grams(id, infant, "29463-7", grams);
		observation.setEffective(new DateTimeType(now.minus(Duration.ofHours(1)).toString()));
		return observation;
	}

	private static Observation grams(String id, String infant, String loinc, int grams) {
		Observation observation = new Observation();
		observation.setId(id);
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.setCode(new CodeableConcept(new Coding("http://loinc.org", loinc, null)));
		observation.setSubject(new Reference("Patient/" + infant));
		observation.setValue(new Quantity().setValue(new BigDecimal(grams)).setSystem("http://unitsofmeasure.org").setCode("g").setUnit("g"));
		return observation;
	}
}
