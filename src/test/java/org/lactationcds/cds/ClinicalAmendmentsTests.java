package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.SimpleQuantity;
import org.hl7.fhir.r4.model.Timing;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Type;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lactationcds.cds.card.Card;
import org.lactationcds.cds.card.CardMapper;
import org.lactationcds.dyad.BundleDataSource;
import org.lactationcds.dyad.DyadAssembler;
import org.lactationcds.knowledge.CompiledKnowledge;
import org.lactationcds.knowledge.KnowledgeSnapshot;

/**
 * The amendments of clinical-rules.md section 5 and the time conventions of section 0.1, through the CDS service
 * itself (dyad assembly, evaluation, card mapping) on the knowledge the server ships: boundaries on both sides in
 * several units and UTC offsets, and what each card says (whose data, evidence as entered, no internal source ids).
 */
class ClinicalAmendmentsTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static final ObjectMapper JSON = new ObjectMapper();
	static final String LOINC = "http://loinc.org";
	static final String SNOMED = "http://snomed.info/sct";
	static final String UCUM = "http://unitsofmeasure.org";
	static final String LOCAL = "http://lactation-cds.org/fhir/CodeSystem/lactation-obs";
	/** Birth at 2025-03-01T08:00Z, written at -05:00 as an EHR in New York would. */
	static final String BIRTH_AT_MINUS_5 = "2025-03-01T03:00:00-05:00";
	static final Instant BIRTH = Instant.parse("2025-03-01T08:00:00Z");

	static KnowledgeSnapshot knowledge;
	static CdsRequestParser parser;

	@BeforeAll
	static void load() {
		knowledge = CompiledKnowledge.snapshot("classpath:fhir-resources");
		parser = new CdsRequestParser(JSON, FHIR);
	}

	static Instant day(double n) {
		return BIRTH.plus(Duration.ofMinutes(Math.round(n * 24 * 60)));
	}

	// ------------------------------------------------------------------ day of life between instants (0.1, 5.1)

	@Test
	void weightWrittenAtPlus0530OneMinuteBeforeDay14IsWeightLossTerritoryAndAtDay14IsNotRegained() {
		Dyad before = Dyad.linked("t1").birthTime(BIRTH_AT_MINUS_5)
				.weight(3460, "g", null, "2025-03-15T13:29:00+05:30"); // 07:59Z: day 13
		assertThat(before.cards("patient-view", before.infant, day(14.5))).isEmpty();

		Dyad at = Dyad.linked("t2").birthTime(BIRTH_AT_MINUS_5)
				.weight(3460, "g", null, "2025-03-15T13:30:00+05:30"); // 08:00Z: day 14
		Card card = only(at.cards("patient-view", at.infant, day(14.5)));
		assertThat(card.rule()).isEqualTo("RF-INFANT-BW-NOT-REGAINED");
		assertThat(card.indicator()).isEqualTo("warning");
		assertThat(card.summary()).contains("by day 14").contains("40 g below");
		assertThat(card.detail()).contains("**Patient:** the infant Mia Example (Patient/inf-t2)")
				.contains("3,460 g on 2025-03-15 13:30 UTC+5.5 h");
	}

	@Test
	void birthDateWithoutTimeStartsAtMidnightInTheConfiguredClinicalTimeZoneAndTheCardSaysSo() {
		Dyad dyad = Dyad.linked("t3").birthDateOnly().weight(3460, "g", null, "2025-03-15T04:59:00Z");
		// Bogotá keeps -05:00 all year: midnight there is 05:00Z, so 2025-03-15T04:59Z is still day 13.
		ZoneId bogota = ZoneId.of("America/Bogota");
		assertThat(dyad.cards("patient-view", dyad.infant, Instant.parse("2025-03-15T06:00:00Z"), bogota)).isEmpty();

		Card utc = only(dyad.cards("patient-view", dyad.infant, Instant.parse("2025-03-15T06:00:00Z"), ZoneOffset.UTC));
		assertThat(utc.rule()).isEqualTo("RF-INFANT-BW-NOT-REGAINED");
		assertThat(utc.detail()).contains("Birth time not recorded");
	}

	// ------------------------------------------------------------------ units: evidence as entered (5.12)

	@Test
	void weightInPoundsIsConvertedToWholeGramsAndShownAsEntered() {
		Dyad dyad = Dyad.linked("u1").weight(7.125, "[lb_av]", null, day(3).toString()); // 3232 g: 7.66 %
		Card card = only(dyad.cards("patient-view", dyad.infant, day(3.5)));
		assertThat(card.rule() + "/" + card.indicator()).isEqualTo("RF-INFANT-WEIGHT-LOSS/warning");
		assertThat(card.detail()).contains("weight 7 lb 2 oz (3,232 g) on ").doesNotContain("3231.8").doesNotContain("[lb_av]");
	}

	@Test
	void weightInOuncesOrKilogramsIsShownAsEnteredWithWholeGrams() {
		Dyad ounces = Dyad.linked("u3").weight(104, "[oz_av]", null, day(3).toString()); // 2948 g: 15.8 %
		assertThat(only(ounces.cards("patient-view", ounces.infant, day(3.5))).detail())
				.contains("birth weight 3,500 g; weight 104 oz (2,948 g) on ", "loss 552 g = 15.8%");

		Dyad kilograms = Dyad.linked("u4").weight(3.232, "kg", null, day(3).toString());
		assertThat(only(kilograms.cards("patient-view", kilograms.infant, day(3.5))).detail())
				.contains("weight 3.232 kg (3,232 g) on ");
	}

	@Test
	void weightInKilogramsAtExactlySevenPercentGivesNoCardAndJustOverGivesAWarning() {
		Dyad boundary = Dyad.linked("u2").weight(3.255, "kg", null, day(3).toString());
		assertThat(boundary.cards("patient-view", boundary.infant, day(3.5))).isEmpty();

		Dyad over = Dyad.linked("u3").weight(3.250, "kg", null, day(3).toString());
		assertThat(rules(over.cards("patient-view", over.infant, day(3.5)))).containsExactly("RF-INFANT-WEIGHT-LOSS/warning");
	}

	@Test
	void fahrenheitAtThePyrexiaThresholdIsAFeverAndJustBelowIsNot() {
		Dyad fever = Dyad.linked("f1").lactating(day(9.5)).temperature(100.4, "[degF]", null, day(10));
		Card card = only(fever.cards("patient-view", fever.mother, day(10.2)));
		assertThat(card.rule() + "/" + card.indicator()).isEqualTo("RF-POSTPARTUM-FEVER/warning");
		assertThat(card.summary()).contains("38.0 °C on day 10:");
		assertThat(card.detail()).contains("100.4 °F (38.0 °C)").contains("**Patient:** the mother Ada Example");

		Dyad below = Dyad.linked("f2").lactating(day(9.5)).temperature(100.2, "[degF]", null, day(10));
		assertThat(below.cards("patient-view", below.mother, day(10.2))).isEmpty();
	}

	// ------------------------------------------------------------------ comparators (5.8) and data quality (5.6)

	@Test
	void temperatureAboveThresholdWithComparatorCountsAndBelowComparatorIsListedAsUnusable() {
		Dyad above = Dyad.linked("c1").lactating(day(9.5)).temperature(38.0, "Cel", ">", day(10));
		assertThat(rules(above.cards("patient-view", above.mother, day(10.2)))).containsExactly("RF-POSTPARTUM-FEVER/warning");

		Dyad below = Dyad.linked("c2").lactating(day(9.5)).temperature(38.5, "Cel", "<", day(10));
		Card quality = only(below.cards("patient-view", below.mother, day(10.2)));
		assertThat(quality.rule() + "/" + quality.indicator()).isEqualTo("DATA-QUALITY/info");
		assertThat(quality.detail()).contains("<38.5 °C").doesNotContain("Cel").contains("comparator <");
	}

	@Test
	void weightWithoutUcumUnitIsNeverGuessedAndIsReportedButNotOnOrderHooks() {
		Dyad dyad = Dyad.linked("q1").weight(2.9, "stone", null, day(3).toString());
		Card quality = only(dyad.cards("patient-view", dyad.infant, day(3.5)));
		assertThat(quality.rule()).isEqualTo("DATA-QUALITY");
		assertThat(quality.summary()).startsWith("Some recorded data could not be used");
		assertThat(quality.detail()).contains("2.9 stone").contains("cannot be converted");
		assertThat(dyad.cardsForOrders("order-sign", dyad.mother, day(3.5))).isEmpty();
	}

	@Test
	void futureDatedFeverIsIgnoredAndListed() {
		Dyad dyad = Dyad.linked("z1").lactating(day(9.5)).temperature(39.0, "Cel", null, day(10).plus(Duration.ofMinutes(61)));
		Card card = only(dyad.cards("patient-view", dyad.mother, day(10)));
		assertThat(card.rule()).isEqualTo("DATA-QUALITY");
		assertThat(card.detail()).contains("dated in the future");
	}

	// ------------------------------------------------------------------ windows relative to now (5.2)

	@Test
	void pumpingWithoutMilkFiresOnTheLastTwoCompleteDaysButNotTwoDaysLater() {
		Dyad current = Dyad.linked("w1").noMilkDespitePumping(3, 4);
		Card card = only(current.cards("patient-view", current.mother, day(5)));
		assertThat(card.rule() + "/" + card.indicator()).isEqualTo("RF-NO-MILK-PUMPING/warning");
		assertThat(card.detail()).contains("day 3 (2025-03-04 08:00 UTC to 2025-03-05 08:00 UTC): 10 sessions");

		Dyad old = Dyad.linked("w2").noMilkDespitePumping(3, 4);
		assertThat(old.cards("patient-view", old.mother, day(7))).isEmpty();
	}

	// ------------------------------------------------------------------ unlinked mother (5.5)

	@Test
	void lactatingMotherWithoutLinkedInfantWithFeverGetsThePostpartumRuleAndIsToldWhy() {
		Dyad alone = Dyad.motherOnly("m1").lactating(day(9.5)).temperature(38.3, "Cel", null, day(10));
		Card card = only(alone.cards("patient-view", alone.mother, day(10.2)));
		assertThat(card.rule() + "/" + card.indicator()).isEqualTo("RF-POSTPARTUM-FEVER/warning");
		assertThat(card.summary()).contains("postpartum day unknown");
		assertThat(card.detail()).contains("no infant is linked");

		Dyad notLactating = Dyad.motherOnly("m2").temperature(38.3, "Cel", null, day(10));
		assertThat(notLactating.cards("patient-view", notLactating.mother, day(10.2))).isEmpty();
	}

	// ------------------------------------------------------------------ twins (5.4)

	@Test
	void twinsEachGetTheirOwnCardNamedByBirthOrderAndOneTwinsHookShowsOnlyThatTwin() {
		Dyad twins = Dyad.linked("tw").weight(3145, "g", null, day(4).toString()).twin(3140, day(4));
		List<Card> mothers = twins.cards("patient-view", twins.mother, day(4.2));
		assertThat(rules(mothers)).containsExactly("RF-INFANT-WEIGHT-LOSS/critical", "RF-INFANT-WEIGHT-LOSS/critical");
		assertThat(mothers).extracting(Card::detail).anySatisfy(detail -> assertThat(detail)
				.contains("**Patient:** the infant Mia Example, 1st of a multiple birth (Patient/inf-tw)"));
		assertThat(mothers).extracting(Card::detail).anySatisfy(detail -> assertThat(detail)
				.contains("**Patient:** the infant Max Example, 2nd of a multiple birth (Patient/inf-tw-2)"));

		List<Card> secondTwin = twins.cards("patient-view", twins.twin, day(4.2));
		assertThat(secondTwin).singleElement().satisfies(card -> assertThat(card.detail()).contains("(Patient/inf-tw-2)"));
	}

	// ------------------------------------------------------------------ Goal, CarePlan activity, low-supply evidence

	@Test
	void relactationIntentRecordedAsAGoalOffersTheProtocol() {
		Dyad dyad = Dyad.linked("g1").notBreastfeeding(day(28)).relactationGoal();
		Card card = only(dyad.cards("patient-view", dyad.mother, day(56)));
		assertThat(card.rule() + "/" + card.indicator()).isEqualTo("RELACT-PROTOCOL/info");
		assertThat(card.detail()).contains("relactation intent recorded as a goal");
		JsonNode carePlan = card.suggestions().stream().flatMap(suggestion -> suggestion.actions().stream())
				.map(Card.Action::resource).filter(resource -> resource != null && resource.path("resourceType").asText().equals("CarePlan"))
				.findFirst().orElseThrow();
		assertThat(carePlan.at("/subject/reference").asText()).isEqualTo("Patient/mom-g1");
		List<JsonNode> goals = new ArrayList<>();
		carePlan.path("contained").forEach(resource -> {
			if (resource.path("resourceType").asText().equals("Goal")) {
				goals.add(resource);
			}
		});
		assertThat(goals).as("goals of the relactation CarePlan").isNotEmpty()
				.anySatisfy(goal -> assertThat(goal.at("/description/text").asText()).startsWith("Infant weight gain"))
				.allSatisfy(goal -> assertThat(goal.at("/subject/reference").asText()).as("goal subject").isEqualTo("Patient/inf-g1"));

		Dyad withoutGoal = Dyad.linked("g2").notBreastfeeding(day(28));
		assertThat(withoutGoal.cards("patient-view", withoutGoal.mother, day(56))).isEmpty();
	}

	@Test
	void breastMassageOrderedAsADraftCarePlanActivityDuringFebrileMastitisIsContraindicated() {
		Dyad dyad = Dyad.linked("cp1").lactating(day(20.5)).febrileMastitis(day(21));
		Card card = only(dyad.cardsForOrders("order-sign", dyad.mother, day(21.1), massageCarePlan("cp1")));
		assertThat(card.rule() + "/" + card.indicator()).isEqualTo("ORD-MASSAGE-CONTRAINDICATED/critical");
		assertThat(card.suggestions()).flatExtracting(Card.Suggestion::actions)
				.anySatisfy(action -> {
					assertThat(action.type()).isEqualTo("delete");
					assertThat(action.resourceId()).isEqualTo("CarePlan/massage-cp1");
				});

		Dyad noInflammation = Dyad.linked("cp2").lactating(day(20.5)).temperature(36.9, "Cel", null, day(21));
		assertThat(noInflammation.cardsForOrders("order-sign", noInflammation.mother, day(21.1), massageCarePlan("cp2")))
				.isEmpty();
	}

	@Test
	void pumpTechniqueCountsTheInfantsWeightRuleAsLowSupplyEvidenceEvenWhenSheAlsoBreastfeeds() {
		Dyad lowSupply = Dyad.linked("p1").weight(3145, "g", null, day(4).toString()).pumpingDay(3, 4, 3);
		assertThat(rules(lowSupply.cards("patient-view", lowSupply.mother, day(4.2))))
				.containsExactly("RF-INFANT-WEIGHT-LOSS/critical", "PUMP-TECHNIQUE/info");

		Dyad gaining = Dyad.linked("p2").weight(3400, "g", null, day(4).toString()).pumpingDay(3, 4, 3);
		assertThat(gaining.cards("patient-view", gaining.mother, day(4.2))).isEmpty();
	}

	// ------------------------------------------------------------------ product-level drug codes (5.7, 5.11)

	@Test
	void pseudoephedrineOrderedAsAnScdCodeIsRecognisedThroughTheProductMapAndCitesOnlyItsOwnSource() {
		Dyad dyad = Dyad.linked("d1").lactating(day(39.5));
		Card card = only(dyad.cardsForOrders("order-sign", dyad.mother, day(40),
				dyad.draftOrder(new CodeableConcept(new Coding(RXNORM, "1430169", null)))));
		assertThat(card.rule() + "/" + card.indicator()).isEqualTo("MED-LACTATION-SUPPRESSANT/warning");
		assertThat(card.summary()).startsWith("Pseudoephedrine may reduce milk supply");
		assertThat(card.detail()).contains("recognised by product RxNorm 1430169 mapped to its ingredient")
				.contains("pseudoephedrine: a single 60 mg dose").doesNotContainIgnoringCase("furosemide")
				.doesNotContainIgnoringCase("hydrochlorothiazide");
		assertThat(card.source().url()).isEqualTo("https://www.ncbi.nlm.nih.gov/books/NBK501085/");
		assertThat(card.links()).extracting(Card.Link::label).allSatisfy(label -> assertThat(label)
				.doesNotContainIgnoringCase("furosemide").doesNotContainIgnoringCase("spironolactone"));
		assertThat(card.overrideReasons()).extracting(Card.Coding::code).contains("benefit-outweighs-risk");
	}

	@Test
	void brandedProductSbdCodeIsRecognisedThroughTheProductMap() {
		Dyad dyad = Dyad.linked("d2").lactating(day(39.5));
		Card card = only(dyad.cardsForOrders("order-sign", dyad.mother, day(40),
				dyad.draftOrder(new CodeableConcept(new Coding(RXNORM, "1049529", "Sudafed 30 MG Oral Tablet")))));
		assertThat(card.detail()).contains("Pseudoephedrine (ordered").contains("product RxNorm 1049529");
	}

	@Test
	void productNamedByItsRxNormNormalizedNameMatchesOnlyAWholeIngredientWord() {
		Dyad named = Dyad.linked("d3").lactating(day(39.5));
		Card card = only(named.cardsForOrders("order-sign", named.mother, day(40), named.draftOrder(
				new CodeableConcept(new Coding().setSystem(RXNORM).setDisplay("Pseudoephedrine Hydrochloride 60 MG Oral Tablet")))));
		assertThat(card.detail()).contains("recognised by RxNorm name \"Pseudoephedrine Hydrochloride 60 MG Oral Tablet\"");

		// Norpseudoephedrine (cathine) contains the letters of pseudoephedrine but is another substance.
		Dyad other = Dyad.linked("d4").lactating(day(39.5));
		assertThat(other.cardsForOrders("order-sign", other.mother, day(40), other.draftOrder(
				new CodeableConcept(new Coding().setSystem(RXNORM).setDisplay("Norpseudoephedrine 30 MG Oral Tablet"))))).isEmpty();
	}

	@Test
	void containedAndStoredMedicationsAreClassifiedByTheirIngredients() {
		Dyad contained = Dyad.linked("d5").lactating(day(39.5));
		MedicationRequest order = contained.draftOrder(null);
		Medication medication = new Medication();
		medication.setId("med");
		medication.addIngredient().setItem(new CodeableConcept(new Coding(RXNORM, "1430169", null)));
		order.addContained(medication);
		order.setMedication(new Reference("#med"));
		Card card = only(contained.cardsForOrders("order-sign", contained.mother, day(40), order));
		assertThat(card.detail()).contains("Medication.ingredient: product RxNorm 1430169");

		Dyad stored = Dyad.linked("d6").lactating(day(39.5));
		Medication storedMedication = new Medication();
		storedMedication.setId("Medication/furosemide-40");
		storedMedication.addIngredient().setItem(new CodeableConcept(new Coding(RXNORM, "4603", "furosemide")));
		stored.resources.add(storedMedication);
		MedicationRequest byReference = stored.draftOrder(null);
		byReference.setMedication(new Reference("Medication/furosemide-40"));
		Card furosemide = only(stored.cardsForOrders("order-sign", stored.mother, day(40), byReference));
		assertThat(furosemide.rule() + "/" + furosemide.indicator()).isEqualTo("MED-LACTATION-SUPPRESSANT/warning");
		assertThat(furosemide.detail()).contains("Furosemide (ordered, 80 mg/day; recognised by Medication.ingredient: ingredient code RxNorm 4603)")
				.doesNotContainIgnoringCase("pseudoephedrine");
		assertThat(furosemide.source().label()).contains("Furosemide").contains("mirrored on drugs.com");
	}

	// ------------------------------------------------------------------ suggestions already satisfied (5.13)

	@Test
	void galactogogueCardOffersAConsultationOnlyWhenNoneIsOnRecord() {
		Dyad without = Dyad.linked("r1").lactating(day(11.5));
		Card offered = only(without.cardsForOrders("order-sign", without.mother, day(12),
				without.draftOrder(new CodeableConcept(new Coding(RXNORM, "6915", "metoclopramide")))));
		assertThat(offered.rule()).isEqualTo("MED-GALACTOGOGUE");
		assertThat(suggestedCodes(offered)).contains("ServiceRequest lactation-consult-referral");

		Dyad with = Dyad.linked("r2").lactating(day(11.5)).consultation(day(8));
		Card card = only(with.cardsForOrders("order-sign", with.mother, day(12),
				with.draftOrder(new CodeableConcept(new Coding(RXNORM, "6915", "metoclopramide")))));
		assertThat(card.rule()).isEqualTo("MED-GALACTOGOGUE");
		assertThat(card.detail()).contains("lactation consultation in the last 30 days");
		assertThat(suggestedCodes(card)).doesNotContain("ServiceRequest lactation-consult-referral");

		Dyad referred = Dyad.linked("r3").lactating(day(11.5)).referral(day(9));
		Card afterReferral = only(referred.cardsForOrders("order-sign", referred.mother, day(12),
				referred.draftOrder(new CodeableConcept(new Coding(RXNORM, "6915", "metoclopramide")))));
		assertThat(afterReferral.rule()).isEqualTo("MED-GALACTOGOGUE");
		assertThat(suggestedCodes(afterReferral)).as("a referral placed 3 days ago").doesNotContain("ServiceRequest lactation-consult-referral");
	}

	@Test
	void noCardTextNamesAnInternalSourceId() {
		Dyad dyad = Dyad.linked("s1").lactating(day(20.5)).febrileMastitis(day(21));
		Card card = only(dyad.cards("patient-view", dyad.mother, day(21.1)));
		assertThat(card.rule()).isEqualTo("RF-MASTITIS");
		assertThat(card.summary() + card.detail() + card.source().label())
				.doesNotContainPattern("SEED-\\d|\\[[A-Z]+-[A-Z0-9-]+\\]");
		assertThat(card.links()).allSatisfy(link -> assertThat(link.label()).doesNotContain("["));
		assertThat(card.detail()).endsWith("*Decision support only — verify clinically.*");
		JsonNode education = card.suggestions().stream().flatMap(suggestion -> suggestion.actions().stream())
				.map(Card.Action::resource)
				.filter(resource -> resource != null && resource.path("resourceType").asText().equals("CommunicationRequest"))
				.findFirst().orElseThrow();
		assertThat(education.at("/payload/0/contentString").asText()).contains("no breast massage");
		assertThat(education.at("/recipient/0/reference").asText()).isEqualTo("Patient/mom-s1");
		assertThat(education.at("/subject/reference").asText()).isEqualTo("Patient/mom-s1");
	}

	// ------------------------------------------------------------------ helpers

	static Card only(List<Card> cards) {
		assertThat(cards).as("cards").hasSize(1);
		return cards.get(0);
	}

	static List<String> rules(List<Card> cards) {
		return cards.stream().map(card -> card.rule() + "/" + card.indicator()).toList();
	}

	static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";

	/** "Type code" of every resource a card suggests creating. */
	static List<String> suggestedCodes(Card card) {
		return card.suggestions().stream().flatMap(suggestion -> suggestion.actions().stream())
				.filter(action -> action.resource() != null)
				.map(action -> action.resource().path("resourceType").asText() + " "
						+ action.resource().at("/code/coding/0/code").asText())
				.toList();
	}

	static CarePlan massageCarePlan(String key) {
		CarePlan plan = new CarePlan();
		plan.setId("CarePlan/massage-" + key);
		plan.setStatus(CarePlan.CarePlanStatus.DRAFT);
		plan.setIntent(CarePlan.CarePlanIntent.PROPOSAL);
		plan.setSubject(new Reference("Patient/mom-" + key));
		plan.addActivity().getDetail()
				.setStatus(CarePlan.CarePlanActivityStatus.NOTSTARTED)
				.setCode(new CodeableConcept(new Coding(LOCAL, "breast-massage", "Breast massage")));
		return plan;
	}

	/** A mother, her infant (Mia) and optionally a twin (Max), built as an EHR would record them. */
	static final class Dyad {
		final String mother;
		final String infant;
		String twin;
		final List<Resource> resources = new ArrayList<>();
		private final Patient infantPatient;
		private int sequence;

		private Dyad(String key, boolean linked) {
			mother = "mom-" + key;
			infant = "inf-" + key;
			Patient mom = new Patient();
			mom.setId("Patient/" + mother);
			mom.addName().setFamily("Example").addGiven("Ada");
			resources.add(mom);
			infantPatient = new Patient();
			if (linked) {
				infantPatient.setId("Patient/" + infant);
				infantPatient.addName().setFamily("Example").addGiven("Mia");
				DateType birthDate = new DateType("2025-03-01");
				birthDate.addExtension("http://hl7.org/fhir/StructureDefinition/patient-birthTime", new DateTimeType(BIRTH.toString()));
				infantPatient.setBirthDateElement(birthDate);
				resources.add(infantPatient);
				link(mom, infant, "rp-" + key);
				resources.add(quantity(infant, LOINC, "8339-4", new DecimalHolder(3500), "g", null, BIRTH.toString()));
			}
		}

		static Dyad linked(String key) {
			return new Dyad(key, true);
		}

		static Dyad motherOnly(String key) {
			return new Dyad(key, false);
		}

		private void link(Patient mom, String infantId, String relatedPersonId) {
			RelatedPerson related = new RelatedPerson();
			related.setId("RelatedPerson/" + relatedPersonId);
			related.setPatient(new Reference("Patient/" + infantId));
			related.addRelationship(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother")));
			resources.add(related);
			mom.addLink().setOther(new Reference("RelatedPerson/" + relatedPersonId)).setType(Patient.LinkType.SEEALSO);
		}

		Dyad birthTime(String birthTime) {
			infantPatient.getBirthDateElement().getExtension().clear();
			infantPatient.getBirthDateElement().addExtension(
					"http://hl7.org/fhir/StructureDefinition/patient-birthTime", new DateTimeType(birthTime));
			return this;
		}

		Dyad birthDateOnly() {
			infantPatient.getBirthDateElement().getExtension().clear();
			return this;
		}

		Dyad twin(int grams, Instant at) {
			infantPatient.setMultipleBirth(new IntegerType(1));
			twin = infant + "-2";
			Patient second = new Patient();
			second.setId("Patient/" + twin);
			second.addName().setFamily("Example").addGiven("Max");
			second.setBirthDateElement(infantPatient.getBirthDateElement().copy());
			second.setMultipleBirth(new IntegerType(2));
			resources.add(second);
			link((Patient) resources.get(0), twin, "rp-" + twin);
			resources.add(quantity(twin, LOINC, "8339-4", new DecimalHolder(3500), "g", null, BIRTH.toString()));
			resources.add(quantity(twin, LOINC, "29463-7", new DecimalHolder(grams), "g", null, at.toString()));
			return this;
		}

		Dyad weight(double value, String unit, String comparator, String at) {
			resources.add(quantity(infant, LOINC, "29463-7", new DecimalHolder(value), unit, comparator, at));
			return this;
		}

		Dyad temperature(double value, String unit, String comparator, Instant at) {
			resources.add(quantity(mother, LOINC, "8310-5", new DecimalHolder(value), unit, comparator, at.toString()));
			return this;
		}

		Dyad lactating(Instant at) {
			resources.add(coded(mother, LOINC, "63895-7", new CodeableConcept(new Coding(LOINC, "LA29252-6", null)), at));
			return this;
		}

		Dyad notBreastfeeding(Instant at) {
			resources.add(coded(mother, LOINC, "63895-7", new CodeableConcept(new Coding(LOINC, "LA29253-4", null)), at));
			return this;
		}

		Dyad relactationGoal() {
			Goal goal = new Goal();
			goal.setId("Goal/" + mother + "-relactation");
			goal.setLifecycleStatus(Goal.GoalLifecycleStatus.ACTIVE);
			goal.setDescription(new CodeableConcept(new Coding(LOCAL, "relactation-intent", "Relactation intent")));
			goal.setSubject(new Reference("Patient/" + mother));
			resources.add(goal);
			return this;
		}

		Dyad febrileMastitis(Instant at) {
			temperature(38.6, "Cel", null, at);
			Observation erythema = coded(mother, SNOMED, "247441003", null, at);
			erythema.setBodySite(new CodeableConcept(new Coding(SNOMED, "80248007", null)));
			resources.add(erythema);
			resources.add(coded(mother, SNOMED, "53430007", null, at));
			return this;
		}

		/** Day windows k of 10 sessions (20 min) and under 10 mL expressed, no breastfeeds. */
		Dyad noMilkDespitePumping(int... windowDays) {
			for (int k : windowDays) {
				resources.add(window(mother, "pump-sessions-24h", k, new IntegerType(10)));
				resources.add(window(mother, "pump-session-duration", k, new IntegerType(20)));
				resources.add(window(mother, "expressed-volume-24h", k,
						new Quantity().setValue(4).setSystem(UCUM).setCode("mL").setUnit("mL")));
				resources.add(window(mother, "breastfeeds-24h", k, new IntegerType(0)));
			}
			return this;
		}

		/** A draft order of 40 mg twice a day (dose units mg), the drug as given (null: set by the caller). */
		MedicationRequest draftOrder(CodeableConcept drug) {
			MedicationRequest order = new MedicationRequest();
			order.setId("MedicationRequest/" + mother + "-" + (++sequence));
			order.setStatus(MedicationRequest.MedicationRequestStatus.DRAFT);
			order.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
			order.setSubject(new Reference("Patient/" + mother));
			if (drug != null) {
				order.setMedication(drug);
			}
			Dosage dosage = order.addDosageInstruction();
			dosage.addDoseAndRate().setDose(new SimpleQuantity().setValue(40).setSystem(UCUM).setCode("mg").setUnit("mg"));
			dosage.getTiming().getRepeat().setFrequency(2).setPeriod(1).setPeriodUnit(Timing.UnitsOfTime.D);
			return order;
		}

		Dyad consultation(Instant at) {
			Procedure procedure = new Procedure();
			procedure.setId("Procedure/" + mother + "-consultation");
			procedure.setStatus(Procedure.ProcedureStatus.COMPLETED);
			procedure.setSubject(new Reference("Patient/" + mother));
			procedure.setCode(new CodeableConcept(new Coding(LOCAL, "lactation-consultation", "Lactation consultation")));
			procedure.setPerformed(new DateTimeType(at.toString()));
			resources.add(procedure);
			return this;
		}

		Dyad referral(Instant authored) {
			ServiceRequest referral = new ServiceRequest();
			referral.setId("ServiceRequest/" + mother + "-referral");
			referral.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE);
			referral.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
			referral.setSubject(new Reference("Patient/" + mother));
			referral.setCode(new CodeableConcept(new Coding(LOCAL, "lactation-consult-referral", "Referral to lactation consultant")));
			referral.setAuthoredOnElement(new DateTimeType(authored.toString()));
			resources.add(referral);
			return this;
		}

		Dyad pumpingDay(int k, int sessions, int breastfeeds) {
			resources.add(window(mother, "pump-sessions-24h", k, new IntegerType(sessions)));
			resources.add(window(mother, "pump-session-duration", k, new IntegerType(15)));
			resources.add(window(mother, "breastfeeds-24h", k, new IntegerType(breastfeeds)));
			return this;
		}

		List<Card> cards(String hook, String patient, Instant now) {
			return cards(hook, patient, now, ZoneOffset.UTC);
		}

		List<Card> cards(String hook, String patient, Instant now, ZoneId clinicalZone) {
			return invoke(CdsCall.of(hook, patient), hook, now, clinicalZone);
		}

		List<Card> cardsForOrders(String hook, String patient, Instant now, Resource... drafts) {
			Bundle orders = new Bundle().setType(Bundle.BundleType.COLLECTION);
			for (Resource draft : drafts) {
				orders.addEntry().setResource(draft);
			}
			return invoke(CdsCall.of(hook, patient).draftOrders(orders), hook, now, ZoneOffset.UTC);
		}

		private List<Card> invoke(CdsCall call, String hook, Instant now, ZoneId clinicalZone) {
			CdsServiceInvoker invoker = new CdsServiceInvoker(
					() -> knowledge,
					new PrefetchResolver(parser),
					new DyadAssembler(),
					new CardMapper(FHIR, JSON),
					Clock.fixed(now, clinicalZone),
					new SimpleMeterRegistry(),
					new org.lactationcds.evaluation.EvaluationBudget(java.time.Duration.ofSeconds(120)));
			CdsServiceDefinition service = new CdsServiceCatalog("lactation-red-flags")
					.find("lactation-" + hook, knowledge).orElseThrow();
			CdsRequest request = parser.parse(call.body().toString(), Hook.of(hook).orElseThrow());
			return invoker.invoke(service, request, new BundleDataSource(resources));
		}

		private Observation window(String subject, String code, int k, Type value) {
			Observation total = coded(subject, LOCAL, code, value, null);
			total.setEffective(new Period()
					.setStartElement(new DateTimeType(day(k).toString()))
					.setEndElement(new DateTimeType(day(k + 1).toString())));
			return total;
		}

		private Observation coded(String subject, String system, String code, Type value, Instant at) {
			Observation observation = new Observation();
			observation.setId("Observation/" + subject + "-" + (++sequence));
			observation.setStatus(Observation.ObservationStatus.FINAL);
			observation.setCode(new CodeableConcept(new Coding(system, code, null)));
			observation.setSubject(new Reference("Patient/" + subject));
			if (at != null) {
				observation.setEffective(new DateTimeType(at.toString()));
			}
			observation.setValue(value);
			return observation;
		}

		private Observation quantity(String subject, String system, String code, DecimalHolder value, String unit,
				String comparator, String at) {
			Quantity quantity = new Quantity().setValue(value.value()).setUnit(unit);
			if (!unit.equals("stone")) {
				quantity.setSystem(UCUM).setCode(unit);
			}
			if (comparator != null) {
				quantity.setComparator(Quantity.QuantityComparator.fromCode(comparator));
			}
			Observation observation = coded(subject, system, code, quantity, null);
			observation.setEffective(new DateTimeType(at));
			return observation;
		}
	}

	record DecimalHolder(BigDecimal value) {
		DecimalHolder(double value) {
			this(new BigDecimal(BigDecimal.valueOf(value).stripTrailingZeros().toPlainString()));
		}
	}
}
