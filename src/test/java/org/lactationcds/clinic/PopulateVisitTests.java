package org.lactationcds.clinic;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemAnswerComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** {@code Questionnaire/lactation-visit/$populate}: what the store knows about a dyad, as a visit form's answers. */
@PostgresIntegrationTest
class PopulateVisitTests {

	static final String UCUM = "http://unitsofmeasure.org";

	@Autowired
	FhirContext fhirContext;

	@LocalServerPort
	int port;

	FhirTestClient client;
	String mother;
	String infant;
	Instant birth = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(5, ChronoUnit.DAYS);

	@BeforeEach
	void dyad() {
		client = new FhirTestClient(fhirContext, port);
		Patient infantPatient = new Patient();
		infantPatient.addName().setFamily("Okafor").addGiven("Ada");
		infantPatient.setBirthDateElement(new DateType(birth.toString().substring(0, 10)));
		infantPatient.getBirthDateElement().addExtension(
				"http://hl7.org/fhir/StructureDefinition/patient-birthTime", new DateTimeType(birth.toString()));
		infant = "Patient/" + client.fhir().create().resource(infantPatient).execute().getId().getIdPart();
		RelatedPerson link = new RelatedPerson().setPatient(new Reference(infant));
		link.addRelationship(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother")));
		String relatedPerson = "RelatedPerson/" + client.fhir().create().resource(link).execute().getId().getIdPart();
		Patient motherPatient = new Patient();
		motherPatient.addName().setFamily("Okafor").addGiven("Ngozi");
		motherPatient.addLink().setOther(new Reference(relatedPerson)).setType(Patient.LinkType.SEEALSO);
		mother = "Patient/" + client.fhir().create().resource(motherPatient).execute().getId().getIdPart();
		weight("8339-4", birth, 3400, "g", "g");
		weight("29463-7", birth.plus(4, ChronoUnit.DAYS), 3.2, "kg", "kg");
		weight("29463-7", birth.plus(2, ChronoUnit.DAYS), 3150, "g", "g");
	}

	void weight(String loinc, Instant when, double value, String code, String unit) {
		Observation observation = new Observation().setStatus(Observation.ObservationStatus.FINAL)
				.setCode(new CodeableConcept(new Coding("http://loinc.org", loinc, null)))
				.setSubject(new Reference(infant))
				.setEffective(new DateTimeType(when.toString()))
				.setValue(new Quantity().setValue(value).setSystem(UCUM).setCode(code).setUnit(unit));
		client.fhir().create().resource(observation).execute();
	}

	QuestionnaireResponse populated(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return fhirContext.newJsonParser().parseResource(QuestionnaireResponse.class, response.body());
	}

	static Optional<QuestionnaireResponseItemAnswerComponent> answer(List<QuestionnaireResponseItemComponent> items, String linkId) {
		List<QuestionnaireResponseItemComponent> all = new ArrayList<>();
		collect(items, all);
		return all.stream().filter(item -> item.getLinkId().equals(linkId)).findFirst()
				.map(QuestionnaireResponseItemComponent::getAnswerFirstRep);
	}

	static void collect(List<QuestionnaireResponseItemComponent> items, List<QuestionnaireResponseItemComponent> all) {
		for (QuestionnaireResponseItemComponent item : items) {
			all.add(item);
			collect(item.getItem(), all);
		}
	}

	@Test
	void populateAnswersNamesBirthAndTheLastWeight() {
		QuestionnaireResponse response = populated(client.get("/fhir/Questionnaire/lactation-visit/$populate?subject=" + infant));

		assertThat(response.getQuestionnaire()).isEqualTo("http://lactation-cds.org/fhir/Questionnaire/lactation-visit|1.1.0");
		assertThat(response.getStatus()).isEqualTo(QuestionnaireResponse.QuestionnaireResponseStatus.INPROGRESS);
		assertThat(response.getSubject().getReference()).isEqualTo(mother);
		List<QuestionnaireResponseItemComponent> items = response.getItem();
		assertThat(answer(items, "infant").orElseThrow().getValueReference().getReference()).isEqualTo(infant);
		assertThat(answer(items, "infant-name").orElseThrow().getValueStringType().getValue()).isEqualTo("Ada Okafor");
		assertThat(answer(items, "mother-name").orElseThrow().getValueStringType().getValue()).isEqualTo("Ngozi Okafor");
		Quantity birthWeight = answer(items, "recorded-birth-weight").orElseThrow().getValueQuantity();
		assertThat(birthWeight.getValue()).isEqualByComparingTo(new BigDecimal("3400"));
		assertThat(birthWeight.getCode()).isEqualTo("g");
		assertThat(birthWeight.getSystem()).isEqualTo(UCUM);
		assertThat(answer(items, "recorded-birth-time").orElseThrow().getValueDateTimeType().getValue().toInstant()).isEqualTo(birth);
		Quantity last = answer(items, "last-weight").orElseThrow().getValueQuantity();
		assertThat(last.getValue()).isEqualByComparingTo(new BigDecimal("3.2"));
		assertThat(last.getCode()).isEqualTo("kg");
		assertThat(answer(items, "last-weight-time").orElseThrow().getValueDateTimeType().getValue().toInstant())
				.isEqualTo(birth.plus(4, ChronoUnit.DAYS));
		// Nothing is answered for this visit's own questions.
		assertThat(answer(items, "infant-weight")).isEmpty();
		assertThat(answer(items, "birth-weight")).isEmpty();
	}

	/** The weight codes are those of the knowledge's body-weight ValueSet, the rules' own: 3141-9 counts too. */
	@Test
	void populateTakesTheLastWeightUnderAnyCodeOfTheRulesBodyWeightValueSet() {
		weight("3141-9", birth.plus(4, ChronoUnit.DAYS).plus(3, ChronoUnit.HOURS), 3210, "g", "g");
		weight("8302-2", birth.plus(5, ChronoUnit.DAYS), 51, "cm", "cm"); // a length: not a weight, not taken

		QuestionnaireResponse response = populated(client.get("/fhir/Questionnaire/lactation-visit/$populate?subject=" + infant));

		Quantity last = answer(response.getItem(), "last-weight").orElseThrow().getValueQuantity();
		assertThat(last.getValue()).isEqualByComparingTo(new BigDecimal("3210"));
		assertThat(last.getCode()).isEqualTo("g");
		assertThat(answer(response.getItem(), "last-weight-time").orElseThrow().getValueDateTimeType().getValue().toInstant())
				.isEqualTo(birth.plus(4, ChronoUnit.DAYS).plus(3, ChronoUnit.HOURS));
	}

	@Test
	void populateByPostWithParametersAnswersTheSame() {
		String parameters = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"subject\",\"valueString\":\"" + infant + "\"}]}";
		QuestionnaireResponse response = populated(
				client.post("/fhir/Questionnaire/lactation-visit/$populate", "application/fhir+json", parameters));

		assertThat(answer(response.getItem(), "last-weight").orElseThrow().getValueQuantity().getCode()).isEqualTo("kg");
	}

	@Test
	void populateWithoutWeightsOnRecordLeavesThemUnanswered() {
		Patient alone = new Patient();
		String otherInfant = "Patient/" + client.fhir().create().resource(alone).execute().getId().getIdPart();
		RelatedPerson link = new RelatedPerson().setPatient(new Reference(otherInfant));
		link.addRelationship(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", null)));
		String relatedPerson = "RelatedPerson/" + client.fhir().create().resource(link).execute().getId().getIdPart();
		Patient otherMother = new Patient();
		otherMother.addLink().setOther(new Reference(relatedPerson)).setType(Patient.LinkType.SEEALSO);
		client.fhir().create().resource(otherMother).execute();

		QuestionnaireResponse response = populated(client.get("/fhir/Questionnaire/lactation-visit/$populate?subject=" + otherInfant));

		assertThat(answer(response.getItem(), "infant").orElseThrow().getValueReference().getReference()).isEqualTo(otherInfant);
		assertThat(answer(response.getItem(), "recorded-birth-weight")).isEmpty();
		assertThat(answer(response.getItem(), "last-weight")).isEmpty();
		assertThat(answer(response.getItem(), "infant-name")).isEmpty();
	}

	@Test
	void populateWithABadSubjectAnswers400() {
		for (String subject : List.of("Observation/1", "Patient/", "Patient/a%20b")) {
			HttpResponse<String> response = client.get("/fhir/Questionnaire/lactation-visit/$populate?subject=" + subject);
			assertThat(response.statusCode()).as(subject + ": " + response.body()).isEqualTo(400);
			assertThat(fhirContext.newJsonParser().parseResource(OperationOutcome.class, response.body()).getIssue()).isNotEmpty();
		}
		assertThat(client.get("/fhir/Questionnaire/lactation-visit/$populate").statusCode()).isEqualTo(400);
	}

	@Test
	void populateWithAnUnknownSubjectAnswers404() {
		HttpResponse<String> response = client.get("/fhir/Questionnaire/lactation-visit/$populate?subject=Patient/no-such-infant-x1");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
		assertThat(fhirContext.newJsonParser().parseResource(OperationOutcome.class, response.body()).getIssue()).isNotEmpty();
	}
}
