package org.lactationcds.clinic;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Type;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A clinic visit submitted to the server as a QuestionnaireResponse: what is stored, and what the rules then say. */
@PostgresIntegrationTest
class SubmitVisitTests {

	static final String QUESTIONNAIRE = "http://lactation-cds.org/fhir/Questionnaire/lactation-visit|1.1.0";
	static final String UCUM = "http://unitsofmeasure.org";

	@Autowired
	FhirContext fhirContext;

	@LocalServerPort
	int port;

	FhirTestClient client;
	String mother;
	String infant;
	/** The visit: now, truncated to the minute; the infant was born four days before. */
	Instant visitTime = Instant.now().truncatedTo(ChronoUnit.MINUTES);

	@BeforeEach
	void dyad() {
		client = new FhirTestClient(fhirContext, port);
		Instant birth = visitTime.minus(4, ChronoUnit.DAYS).minus(2, ChronoUnit.HOURS);
		Patient infantPatient = new Patient();
		infantPatient.setBirthDateElement(new DateType(birth.toString().substring(0, 10)));
		infantPatient.getBirthDateElement().addExtension(
				"http://hl7.org/fhir/StructureDefinition/patient-birthTime", new DateTimeType(birth.toString()));
		infant = "Patient/" + client.fhir().create().resource(infantPatient).execute().getId().getIdPart();
		RelatedPerson link = new RelatedPerson().setPatient(new Reference(infant));
		link.addRelationship(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother")));
		String relatedPerson = "RelatedPerson/" + client.fhir().create().resource(link).execute().getId().getIdPart();
		Patient motherPatient = new Patient();
		motherPatient.addLink().setOther(new Reference(relatedPerson)).setType(Patient.LinkType.SEEALSO);
		mother = "Patient/" + client.fhir().create().resource(motherPatient).execute().getId().getIdPart();
		Observation birthWeight = new Observation().setStatus(Observation.ObservationStatus.FINAL)
				.setCode(new CodeableConcept(new Coding("http://loinc.org", "8339-4", "Birth weight Measured")))
				.setSubject(new Reference(infant))
				.setEffective(new DateTimeType(birth.toString()))
				.setValue(new Quantity().setValue(3400).setSystem(UCUM).setCode("g").setUnit("g"));
		client.fhir().create().resource(birthWeight).execute();
	}

	QuestionnaireResponse visit(String infantAnswer, QuestionnaireResponseItemComponent... infantItems) {
		QuestionnaireResponse response = new QuestionnaireResponse()
				.setQuestionnaire(QUESTIONNAIRE)
				.setStatus(QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED)
				.setSubject(new Reference(mother));
		response.getIdentifier().setSystem("urn:ietf:rfc:3986").setValue("urn:uuid:" + UUID.randomUUID());
		response.addItem().setLinkId("visit")
				.addItem(answer("visit-time", new DateTimeType(visitTime.toString())))
				.addItem(answer("infant", new Reference(infantAnswer)));
		QuestionnaireResponseItemComponent group = response.addItem().setLinkId("infant-group");
		List.of(infantItems).forEach(group::addItem);
		return response;
	}

	static QuestionnaireResponseItemComponent answer(String linkId, Type value) {
		QuestionnaireResponseItemComponent item = new QuestionnaireResponseItemComponent().setLinkId(linkId);
		item.addAnswer().setValue(value);
		return item;
	}

	static Quantity quantity(double value, String ucum, String unit) {
		return new Quantity().setValue(value).setSystem(UCUM).setCode(ucum).setUnit(unit);
	}

	HttpResponse<String> submit(QuestionnaireResponse response) {
		return client.post("/fhir/QuestionnaireResponse/$submit-visit", "application/fhir+json",
				fhirContext.newJsonParser().encodeResourceToString(response));
	}

	List<Observation> observationsOf(String patient) {
		return client.fhir().search().forResource(Observation.class).where(Observation.SUBJECT.hasId(patient))
				.returnBundle(Bundle.class).execute().getEntry().stream()
				.map(entry -> (Observation) entry.getResource()).toList();
	}

	int responsesOf(String patient) {
		return client.fhir().search().forResource(QuestionnaireResponse.class)
				.where(QuestionnaireResponse.SUBJECT.hasId(patient)).returnBundle(Bundle.class).execute().getEntry().size();
	}

	@Test
	void submitVisitWhenWeightInOuncesStoresObservationsAndTheResponseAndTheRulesSeeTheLoss() throws Exception {
		// 107 oz = 6 lb 11 oz = 3033 g: 10.8 % below the birth weight of 3400 g on day 4
		QuestionnaireResponse visit = visit(infant,
				answer("infant-weight", quantity(107, "[oz_av]", "oz")),
				answer("wet-diapers-24h", new IntegerType(4)));
		visit.addItem().setLinkId("mother-group").addItem(answer("temperature", quantity(37.1, "Cel", "°C")));

		HttpResponse<String> stored = submit(visit);

		assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
		Bundle result = fhirContext.newJsonParser().parseResource(Bundle.class, stored.body());
		assertThat(result.getType()).isEqualTo(Bundle.BundleType.TRANSACTIONRESPONSE);
		assertThat(result.getEntry()).hasSize(4);
		String responseId = result.getEntryFirstRep().getResponse().getLocation().replaceAll("/_history/.*", "");
		List<Observation> infantObservations = observationsOf(infant);
		Observation weight = infantObservations.stream()
				.filter(o -> o.getCode().getCodingFirstRep().getCode().equals("29463-7")).findFirst().orElseThrow();
		assertThat(weight.getValueQuantity().getCode()).isEqualTo("[oz_av]");
		assertThat(weight.getEffectiveDateTimeType().getValue().toInstant()).isEqualTo(visitTime);
		assertThat(weight.getDerivedFromFirstRep().getReference()).isEqualTo(responseId);
		assertThat(infantObservations).extracting(o -> o.getCode().getCodingFirstRep().getCode())
				.containsExactlyInAnyOrder("8339-4", "29463-7", "infant-wet-diapers-24h");
		assertThat(observationsOf(mother)).extracting(o -> o.getCode().getCodingFirstRep().getCode()).containsExactly("8310-5");

		String cdsRequest = """
				{"hookInstance":"%s","hook":"patient-view","context":{"userId":"Practitioner/nurse","patientId":"%s"}}"""
				.formatted(UUID.randomUUID(), mother.substring("Patient/".length()));
		HttpResponse<String> cds = client.post("/cds-services/lactation-patient-view", "application/json", cdsRequest);
		assertThat(cds.statusCode()).as(cds.body()).isEqualTo(200);
		JsonNode cards = new ObjectMapper().readTree(cds.body()).get("cards");
		assertThat(cards).anySatisfy(card -> {
			assertThat(card.at("/source/topic/code").asText()).isEqualTo("RF-INFANT-WEIGHT-LOSS");
			assertThat(card.get("indicator").asText()).isEqualTo("critical");
		});
	}

	@Test
	void submitVisitWhenTheSameResponseIsSentTwiceStoresItOnce() {
		QuestionnaireResponse visit = visit(infant, answer("infant-weight", quantity(3.1, "kg", "kg")));

		assertThat(submit(visit).statusCode()).isEqualTo(200);
		HttpResponse<String> again = submit(visit);

		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		assertThat(observationsOf(infant)).hasSize(2); // the birth weight and this visit's weight
		assertThat(responsesOf(mother)).isEqualTo(1);
	}

	@Nested
	class Refused {

		@Test
		void submitVisitWhenWeightIsZeroAnswers422NamingTheItemAndStoresNothing() {
			QuestionnaireResponse visit = visit(infant,
					answer("wet-diapers-24h", new IntegerType(6)),
					answer("infant-weight", quantity(0, "g", "g")));

			assertRefused(submit(visit), "infant-weight");
		}

		@Test
		void submitVisitWhenTemperatureIsSixtyCelsiusAnswers422NamingTheItemAndStoresNothing() {
			QuestionnaireResponse visit = visit(infant, answer("wet-diapers-24h", new IntegerType(6)));
			visit.addItem().setLinkId("mother-group").addItem(answer("temperature", quantity(60, "Cel", "°C")));

			assertRefused(submit(visit), "temperature");
		}

		@Test
		void submitVisitWhenUnitIsNotAllowedAnswers422NamingTheItemAndStoresNothing() {
			assertRefused(submit(visit(infant, answer("infant-weight", quantity(3, "[stone_av]", "stone")))), "infant-weight");
		}

		@Test
		void submitVisitWhenInfantIsNotTheMothersAnswers422AndStoresNothing() {
			String stranger = "Patient/" + client.fhir().create().resource(new Patient()).execute().getId().getIdPart();

			HttpResponse<String> response = submit(visit(stranger, answer("infant-weight", quantity(3000, "g", "g"))));

			assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
			assertThat(response.body()).contains(stranger + " is not linked to " + mother);
			assertThat(observationsOf(stranger)).isEmpty();
			assertThat(responsesOf(mother)).isZero();
		}

		private void assertRefused(HttpResponse<String> response, String linkId) {
			assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
			OperationOutcome outcome = fhirContext.newJsonParser().parseResource(OperationOutcome.class, response.body());
			assertThat(outcome.getIssue()).anySatisfy(issue -> assertThat(issue.getDiagnostics()).startsWith("item '" + linkId + "'"));
			assertThat(observationsOf(infant)).hasSize(1); // the birth weight only
			assertThat(observationsOf(mother)).isEmpty();
			assertThat(responsesOf(mother)).isZero();
		}
	}
}
