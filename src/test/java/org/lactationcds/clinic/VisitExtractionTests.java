package org.lactationcds.clinic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Type;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Extraction of the packaged visit Questionnaire's responses, without a server: what a submitted visit becomes. */
class VisitExtractionTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static Questionnaire questionnaire;

	final Function<String, Patient> patients = reference -> new Patient()
			.setBirthDateElement(new DateType("2026-01-11"));
	final VisitExtraction extraction = new VisitExtraction(FHIR, patients);

	@BeforeAll
	static void read() throws Exception {
		questionnaire = FHIR.newJsonParser().parseResource(Questionnaire.class,
				Files.readString(Path.of("fhir-resources/input/resources/questionnaire/Questionnaire-lactation-visit.json")));
	}

	/** A response to the visit Questionnaire: mother m-1, infant i-1, seen on 2026-01-15 at 09:00 UTC. */
	static QuestionnaireResponse visit(Map<String, Type> answers) {
		QuestionnaireResponse response = new QuestionnaireResponse()
				.setQuestionnaire(questionnaire.getUrl() + "|" + questionnaire.getVersion())
				.setStatus(QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED)
				.setSubject(new Reference("Patient/m-1"));
		response.getIdentifier().setSystem("urn:clinic:visit").setValue("v-1");
		response.addItem().setLinkId("visit")
				.addItem(answer("visit-time", new DateTimeType("2026-01-15T09:00:00Z")))
				.addItem(answer("infant", new Reference("Patient/i-1")));
		QuestionnaireResponseItemComponent infant = response.addItem().setLinkId("infant-group");
		QuestionnaireResponseItemComponent mother = response.addItem().setLinkId("mother-group");
		answers.forEach((linkId, value) -> (List.of("infant-weight", "birth-weight", "gestational-age", "wet-diapers-24h",
				"stools-24h", "supplement-volume-24h").contains(linkId) ? infant : mother).addItem(answer(linkId, value)));
		return response;
	}

	static QuestionnaireResponseItemComponent answer(String linkId, Type value) {
		QuestionnaireResponseItemComponent item = new QuestionnaireResponseItemComponent().setLinkId(linkId);
		item.addAnswer().setValue(value);
		return item;
	}

	static Quantity quantity(double value, String ucum) {
		return new Quantity().setValue(value).setSystem(AnswerLimits.UCUM).setCode(ucum).setUnit(ucum);
	}

	static Map<String, Observation> observationsByCode(Bundle transaction) {
		return transaction.getEntry().stream()
				.filter(entry -> entry.getResource() instanceof Observation)
				.map(entry -> (Observation) entry.getResource())
				.collect(Collectors.toMap(o -> o.getCode().getCodingFirstRep().getCode()
						+ (o.hasBodySite() ? "@" + o.getBodySite().getCodingFirstRep().getCode() : ""), o -> o));
	}

	@Test
	void transactionWhenWeightInPoundsKeepsTheUnitAndRecordsItForTheInfantAtTheVisitTime() {
		Bundle transaction = extraction.transaction(questionnaire, visit(Map.of("infant-weight", quantity(6.7, "[lb_av]"))));

		assertThat(transaction.getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
		Bundle.BundleEntryComponent stored = transaction.getEntryFirstRep();
		assertThat(stored.getResource()).isInstanceOf(QuestionnaireResponse.class);
		assertThat(stored.getRequest().getUrl()).isEqualTo("QuestionnaireResponse?identifier=urn%3Aclinic%3Avisit%7Cv-1");
		Observation weight = observationsByCode(transaction).get("29463-7");
		assertThat(weight.getSubject().getReference()).isEqualTo("Patient/i-1");
		assertThat(weight.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
		assertThat(weight.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://loinc.org");
		assertThat(weight.getValueQuantity().getCode()).isEqualTo("[lb_av]");
		assertThat(weight.getValueQuantity().getSystem()).isEqualTo("http://unitsofmeasure.org");
		assertThat(weight.getValueQuantity().getValue()).isEqualByComparingTo("6.7");
		assertThat(weight.getEffectiveDateTimeType().getValueAsString()).isEqualTo("2026-01-15T09:00:00Z");
		assertThat(weight.getDerivedFromFirstRep().getReference()).isEqualTo(stored.getFullUrl());
		assertThat(weight.getIdentifierFirstRep().getValue()).isEqualTo("v-1.infant-weight");
	}

	@Test
	void transactionWhenMotherAnswersRecordsThemForTheResponseSubjectWithTheRulesCodes() {
		Bundle transaction = extraction.transaction(questionnaire, visit(Map.of(
				"temperature", quantity(38.6, "Cel"), "epds-item10", new IntegerType(1))));

		Map<String, Observation> observations = observationsByCode(transaction);
		assertThat(observations).containsOnlyKeys("8310-5", "epds-item10");
		assertThat(observations.get("8310-5").getSubject().getReference()).isEqualTo("Patient/m-1");
		assertThat(observations.get("epds-item10").getValueIntegerType().getValue()).isEqualTo(1);
		assertThat(observations.get("epds-item10").getCode().getCodingFirstRep().getSystem())
				.isEqualTo("http://lactation-cds.org/fhir/CodeSystem/lactation-obs");
	}

	@Test
	void transactionWhenBreastFindingPerSideCarriesTheSideAsBodySite() {
		QuestionnaireResponse response = visit(Map.of());
		response.getItem().get(2).addItem().setLinkId("breast-left")
				.addItem(answer("left-redness", new BooleanType(true)))
				.addItem(answer("left-pain", new BooleanType(true)));

		Map<String, Observation> observations = observationsByCode(extraction.transaction(questionnaire, response));

		assertThat(observations).containsOnlyKeys("247441003@80248007", "53430007@80248007");
		assertThat(observations.get("247441003@80248007").getValueBooleanType().booleanValue()).isTrue();
	}

	@Test
	void transactionWhenDayCountCoversTheTwentyFourHoursBeforeTheVisit() {
		Observation diapers = observationsByCode(extraction.transaction(questionnaire,
				visit(Map.of("wet-diapers-24h", new IntegerType(3))))).get("infant-wet-diapers-24h");

		assertThat(diapers.getEffectivePeriod().getStartElement().getValueAsString()).isEqualTo("2026-01-14T09:00:00Z");
		assertThat(diapers.getEffectivePeriod().getEndElement().getValueAsString()).isEqualTo("2026-01-15T09:00:00Z");
		assertThat(diapers.getSubject().getReference()).isEqualTo("Patient/i-1");
	}

	@Test
	void transactionWhenBirthWeightRecordsItAtTheInfantsBirth() {
		Observation birthWeight = observationsByCode(extraction.transaction(questionnaire,
				visit(Map.of("birth-weight", quantity(3400, "g"))))).get("8339-4");

		assertThat(birthWeight.getEffectiveDateTimeType().getValueAsString()).isEqualTo("2026-01-11");
	}

	@Test
	void transactionWhenItemIsNotFlaggedForObservationKeepsItInTheResponseOnly() {
		Bundle transaction = extraction.transaction(questionnaire, visit(Map.of("stools-24h", new IntegerType(2))));

		assertThat(transaction.getEntry()).singleElement()
				.satisfies(entry -> assertThat(entry.getResource()).isInstanceOf(QuestionnaireResponse.class));
	}

	@Test
	void transactionWhenSupplementTypeAnsweredMakesItAComponentOfTheVolume() {
		QuestionnaireResponse response = visit(Map.of("supplement-volume-24h", quantity(120, "mL")));
		response.getItem().get(1).getItemFirstRep().getAnswerFirstRep()
				.addItem(answer("supplement-type", new Coding("http://snomed.info/sct", "386127005", "Formula milk")));

		Observation supplement = observationsByCode(extraction.transaction(questionnaire, response)).get("supplement-volume-24h");

		assertThat(supplement.getComponent()).singleElement().satisfies(component -> {
			assertThat(component.getCode().getCodingFirstRep().getCode()).isEqualTo("supplement-type");
			assertThat(component.getValueCodeableConcept().getCodingFirstRep().getCode()).isEqualTo("386127005");
		});
	}

	@Test
	void transactionWhenTemperatureInFahrenheitWithinLimitsIsAccepted() {
		Observation temperature = observationsByCode(extraction.transaction(questionnaire,
				visit(Map.of("temperature", quantity(101.5, "[degF]"))))).get("8310-5");

		assertThat(temperature.getValueQuantity().getCode()).isEqualTo("[degF]");
	}

	@Nested
	class Refused {

		@Test
		void transactionWhenWeightIsZeroNamesTheItem() {
			assertRefused(visit(Map.of("infant-weight", quantity(0, "g"))), "infant-weight", "below the lowest plausible value 300 g");
		}

		@Test
		void transactionWhenTemperatureIsSixtyCelsiusNamesTheItem() {
			assertRefused(visit(Map.of("temperature", quantity(60, "Cel"))), "temperature", "above the highest plausible value 43 °C");
		}

		@Test
		void transactionWhenTemperatureIsAboveTheLimitInFahrenheitNamesTheItem() {
			assertRefused(visit(Map.of("temperature", quantity(140, "[degF]"))), "temperature", "above the highest plausible value");
		}

		@Test
		void transactionWhenUnitIsNotAllowedNamesTheItemAndTheAllowedUnits() {
			assertRefused(visit(Map.of("infant-weight", quantity(3.2, "mg"))), "infant-weight", "unit 'mg' is not allowed here; allowed: g, kg, lb, oz");
		}

		@Test
		void transactionWhenCountIsNegativeNamesTheItem() {
			assertRefused(visit(Map.of("wet-diapers-24h", new IntegerType(-1))), "wet-diapers-24h", "below the lowest plausible value 0");
		}

		@Test
		void transactionWhenAnswerHasTheWrongTypeNamesTheItem() {
			assertRefused(visit(Map.of("epds-total", quantity(12, "g"))), "epds-total", "expects a integer answer");
		}

		@Test
		void transactionWhenItemIsUnknownNamesIt() {
			assertRefused(visit(Map.of("shoe-size", new IntegerType(3))), "shoe-size", "is not an item of this Questionnaire");
		}

		@Test
		void transactionWhenInfantIsMissingNamesTheRequiredItem() {
			QuestionnaireResponse response = visit(Map.of("infant-weight", quantity(3000, "g")));
			response.getItemFirstRep().getItem().remove(1);
			assertRefused(response, "infant", "is required");
		}

		@Test
		void transactionWhenResponseHasNoIdentifierSaysWhyItNeedsOne() {
			QuestionnaireResponse response = visit(Map.of("infant-weight", quantity(3000, "g")));
			response.setIdentifier(null);
			assertThatThrownBy(() -> extraction.transaction(questionnaire, response))
					.isInstanceOf(UnprocessableEntityException.class)
					.hasMessageContaining("needs an identifier");
		}

		private void assertRefused(QuestionnaireResponse response, String linkId, String why) {
			assertThatThrownBy(() -> extraction.transaction(questionnaire, response))
					.isInstanceOf(UnprocessableEntityException.class)
					.hasMessageContaining("item '" + linkId + "' " )
					.hasMessageContaining(why)
					.satisfies(e -> {
						OperationOutcome outcome = (OperationOutcome) ((UnprocessableEntityException) e).getOperationOutcome();
						assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).contains("'" + linkId + "'");
					});
		}
	}
}
