package org.lactationcds.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.SimpleQuantity;
import org.hl7.fhir.r4.model.Timing;

/**
 * The shared fixture of clinical-rules.md section 3.0 as FHIR resources: infant inf-NN born 2025-03-01T08:00:00Z
 * (birth weight 3500 g), mother mom-NN linked through RelatedPerson rp-NN, the mother lactating (breastfeeding
 * status LA29252-6 one day before the evaluation), plus the scenario's own data.
 */
public final class DyadFixture {

	static final Instant BIRTH = Instant.parse("2025-03-01T08:00:00Z");
	static final String LOINC = "http://loinc.org";
	static final String UCUM = "http://unitsofmeasure.org";
	static final String LOCAL = "http://lactation-cds.org/fhir/CodeSystem/lactation-obs";
	static final String SNOMED = "http://snomed.info/sct";
	static final Map<String, String> FINDINGS = Map.of(
			"erythema", "247441003",
			"breastPain", "53430007",
			"engorgement", "200416006");

	private final String key;
	private final Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
	private final java.util.Set<String> unselected = new java.util.HashSet<>();
	private int sequence;

	private DyadFixture(String key) {
		this.key = key;
	}

	public static DyadFixture forScenario(GoldenScenario scenario) {
		return forScenario(scenario, "");
	}

	/** The scenario's dyad with ids made distinct by {@code suffix} (one store can hold several copies). */
	public static DyadFixture forScenario(GoldenScenario scenario, String suffix) {
		DyadFixture fixture = new DyadFixture(scenario.id().toLowerCase() + suffix);
		fixture.addDyad(scenario.evalAtDay(), scenario.lactating());
		for (JsonNode item : scenario.data()) {
			fixture.add(item);
		}
		return fixture;
	}

	public String infantId() {
		return "Patient/inf-" + key;
	}

	public String motherId() {
		return "Patient/mom-" + key;
	}

	public Bundle bundle() {
		return bundle;
	}

	/** Draft orders ("Type/id") in the request's draft orders that an order-select request does not select. */
	public java.util.Set<String> unselected() {
		return unselected;
	}

	/** The day-window of a 24-hour total: [D+k, D+k+1). */
	static Period dayWindow(int k) {
		return new Period()
				.setStartElement(new DateTimeType(day(k).toString()))
				.setEndElement(new DateTimeType(day(k + 1).toString()));
	}

	public static Instant day(double n) {
		return BIRTH.plus(Duration.ofMinutes(Math.round(n * 24 * 60)));
	}

	private void addDyad(int evalAtDay, boolean lactating) {
		Patient infant = new Patient();
		infant.setId(infantId());
		DateType birthDate = new DateType("2025-03-01");
		birthDate.addExtension("http://hl7.org/fhir/StructureDefinition/patient-birthTime", new DateTimeType(BIRTH.toString()));
		infant.setBirthDateElement(birthDate);

		RelatedPerson mother = new RelatedPerson();
		mother.setId("RelatedPerson/rp-" + key);
		mother.setPatient(new Reference(infantId()));
		mother.addRelationship(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother")));

		Patient mom = new Patient();
		mom.setId(motherId());
		mom.addLink().setOther(new Reference("RelatedPerson/rp-" + key)).setType(Patient.LinkType.SEEALSO);

		add(infant);
		add(mother);
		add(mom);
		add(quantity(infantId(), LOINC, "8339-4", day(0), 3500, "g"));
		if (lactating) {
			add(breastfeedingStatus("LA29252-6", evalAtDay - 1));
		}
	}

	private void add(JsonNode item) {
		if (item.has("weight")) {
			add(quantity(infantId(), LOINC, "29463-7", day(item.get("day").asDouble()), item.get("weight").asInt(), "g"));
		} else if (item.has("gestationalAgeWeeks")) {
			add(quantity(infantId(), LOINC, "76516-4", day(0), item.get("gestationalAgeWeeks").asInt(), "wk"));
		} else if (item.has("gestationalAge")) {
			add(quantity(infantId(), LOINC, "76516-4", day(0), item.get("gestationalAge").asInt(), item.get("unit").asText()));
		} else if (item.has("wetDiapers")) {
			int windowDay = item.get("windowDay").asInt();
			Observation diapers = observation(infantId(), LOCAL, "infant-wet-diapers-24h", null);
			diapers.setEffective(dayWindow(windowDay));
			diapers.setValue(new IntegerType(item.get("wetDiapers").asInt()));
			add(diapers);
		} else if (item.has("temperature")) {
			Observation temperature = observation(motherId(), LOINC, "8310-5", day(item.get("day").asDouble()));
			temperature.setValue(new Quantity().setValue(item.get("temperature").decimalValue()).setSystem(UCUM).setCode("Cel").setUnit("Cel"));
			add(temperature);
		} else if (item.has("finding")) {
			String code = FINDINGS.get(item.get("finding").asText());
			Observation finding = observation(motherId(), SNOMED, code, day(item.get("day").asDouble()));
			if (code == null) {
				throw new IllegalArgumentException("unknown finding: " + item);
			}
			if (item.has("bodySite")) {
				finding.setBodySite(new CodeableConcept(new Coding(SNOMED, item.get("bodySite").asText(), null)));
			}
			add(finding);
		} else if (item.has("condition")) {
			Condition condition = new Condition();
			condition.setId("Condition/" + key + "-" + (++sequence));
			condition.setSubject(new Reference(motherId()));
			condition.setClinicalStatus(new CodeableConcept(
					new Coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", null)));
			condition.setCode(new CodeableConcept(new Coding(SNOMED, item.get("condition").asText(), null)));
			if (item.has("onsetDay")) {
				condition.setOnset(new DateTimeType(day(item.get("onsetDay").asDouble()).toString()));
			}
			add(condition);
		} else if (item.has("window")) {
			// A 24-hour total of the mother's: {"window": "pump-sessions-24h", "windowDay": 3, "value": 10, "unit": "mL"}
			int windowDay = item.get("windowDay").asInt();
			Observation total = observation(motherId(), LOCAL, item.get("window").asText(), null);
			total.setEffective(dayWindow(windowDay));
			if (item.has("unit")) {
				String unit = item.get("unit").asText();
				total.setValue(new Quantity().setValue(item.get("value").decimalValue()).setSystem(UCUM).setCode(unit).setUnit(unit));
			} else {
				total.setValue(new IntegerType(item.get("value").asInt()));
			}
			add(total);
		} else if (item.has("local")) {
			// A finding with a local code: {"local": "letdown-difficulty", "day": 19, "value": true}
			Observation finding = observation(motherId(), LOCAL, item.get("local").asText(), day(item.get("day").asDouble()));
			if (item.has("value")) {
				finding.setValue(new BooleanType(item.get("value").asBoolean()));
			}
			add(finding);
		} else if (item.has("painScore")) {
			Observation pain = observation(motherId(), LOINC, "72514-3", day(item.get("day").asDouble()));
			pain.setValue(new IntegerType(item.get("painScore").asInt()));
			pain.setBodySite(new CodeableConcept(new Coding(SNOMED, item.get("bodySite").asText(), null)));
			add(pain);
		} else if (item.has("tsh")) {
			Observation tsh = observation(motherId(), LOINC, "3016-3", day(item.get("day").asDouble()));
			tsh.setValue(new Quantity().setValue(item.get("tsh").decimalValue()).setSystem(UCUM).setCode("m[IU]/L").setUnit("mIU/L"));
			tsh.addReferenceRange().setHigh((org.hl7.fhir.r4.model.SimpleQuantity) new org.hl7.fhir.r4.model.SimpleQuantity()
					.setValue(item.get("referenceHigh").decimalValue()).setSystem(UCUM).setCode("m[IU]/L").setUnit("mIU/L"));
			add(tsh);
		} else if (item.has("relactationCarePlanStartDay")) {
			CarePlan plan = new CarePlan();
			plan.setId("CarePlan/" + key + "-" + (++sequence));
			plan.setStatus(CarePlan.CarePlanStatus.ACTIVE);
			plan.setIntent(CarePlan.CarePlanIntent.PLAN);
			plan.setSubject(new Reference(motherId()));
			plan.addInstantiatesCanonical("http://lactation-cds.org/fhir/PlanDefinition/relactation-protocol|1.0.0");
			plan.getPeriod().setStartElement(new DateTimeType(day(item.get("relactationCarePlanStartDay").asDouble()).toString()));
			add(plan);
		} else if (item.has("relactationGoal")) {
			// The mother's relactation Goal with the given lifecycle status: {"relactationGoal": "active", "day": 55}
			Goal goal = new Goal();
			goal.setId("Goal/" + key + "-" + (++sequence));
			goal.setLifecycleStatus(Goal.GoalLifecycleStatus.fromCode(item.get("relactationGoal").asText()));
			goal.setDescription(new CodeableConcept(new Coding(LOCAL, "relactation-intent", "Relactation intent")));
			goal.setSubject(new Reference(motherId()));
			goal.setStart(new DateType(java.util.Date.from(day(item.get("day").asDouble()))));
			add(goal);
		} else if (item.has("activeMassageCarePlan")) {
			// The mother's active CarePlan: a lactation-consultation activity, then a breast-massage activity.
			CarePlan plan = new CarePlan();
			plan.setId("CarePlan/" + key + "-" + (++sequence));
			plan.setStatus(CarePlan.CarePlanStatus.ACTIVE);
			plan.setIntent(CarePlan.CarePlanIntent.PLAN);
			plan.setSubject(new Reference(motherId()));
			for (String code : new String[] {"lactation-consultation", "breast-massage"}) {
				plan.addActivity().getDetail()
						.setCode(new CodeableConcept(new Coding(LOCAL, code, null)))
						.setStatus(CarePlan.CarePlanActivityStatus.SCHEDULED);
			}
			add(plan);
		} else if (item.has("supplementMl")) {
			int windowDay = item.get("windowDay").asInt();
			Observation supplement = observation(infantId(), LOCAL, "supplement-volume-24h", null);
			supplement.setEffective(dayWindow(windowDay));
			supplement.setValue(new Quantity().setValue(item.get("supplementMl").asInt()).setSystem(UCUM).setCode("mL").setUnit("mL"));
			add(supplement);
		} else if (item.has("breastfeeding")) {
			add(breastfeedingStatus(item.get("breastfeeding").asText(), item.get("day").asDouble()));
		} else if (item.has("draftMedication")) {
			add(draftMedication(item));
		} else if (item.has("medicationStatement")) {
			add(medicationStatement(item));
		} else if (item.has("draftMassage")) {
			ServiceRequest massage = new ServiceRequest();
			massage.setId("ServiceRequest/" + key + "-" + (++sequence));
			massage.setStatus(ServiceRequest.ServiceRequestStatus.DRAFT);
			massage.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
			massage.setSubject(new Reference(motherId()));
			massage.setCode(new CodeableConcept(new Coding(LOCAL, "breast-massage", "Breast massage")));
			add(massage);
		} else if (item.has("draftCarePlanReferencing")) {
			// A draft CarePlan whose activity references a draft ServiceRequest with the given local code; on
			// order-select only the CarePlan is selected: {"draftCarePlanReferencing": "breast-massage"}
			ServiceRequest planned = new ServiceRequest();
			planned.setId("ServiceRequest/" + key + "-" + (++sequence));
			planned.setStatus(ServiceRequest.ServiceRequestStatus.DRAFT);
			planned.setIntent(ServiceRequest.ServiceRequestIntent.PLAN);
			planned.setSubject(new Reference(motherId()));
			planned.setCode(new CodeableConcept(new Coding(LOCAL, item.get("draftCarePlanReferencing").asText(), null)));
			add(planned);
			unselected.add(planned.getIdElement().getValue());
			CarePlan plan = new CarePlan();
			plan.setId("CarePlan/" + key + "-" + (++sequence));
			plan.setStatus(CarePlan.CarePlanStatus.DRAFT);
			plan.setIntent(CarePlan.CarePlanIntent.PLAN);
			plan.setSubject(new Reference(motherId()));
			plan.addActivity().setReference(new Reference(planned.getIdElement().getValue()));
			add(plan);
		} else if (item.has("procedure")) {
			Procedure procedure = new Procedure();
			procedure.setId("Procedure/" + key + "-" + (++sequence));
			procedure.setStatus(Procedure.ProcedureStatus.COMPLETED);
			procedure.setSubject(new Reference(motherId()));
			procedure.setCode(new CodeableConcept(new Coding(LOCAL, item.get("procedure").asText(), null)));
			procedure.setPerformed(new DateTimeType(day(item.get("day").asDouble()).toString()));
			add(procedure);
		} else if (item.has("consultationEncounter")) {
			// A lactation consultation as an Encounter: {"consultationEncounter": "finished", "day": 8}
			Encounter encounter = new Encounter();
			encounter.setId("Encounter/" + key + "-" + (++sequence));
			encounter.setStatus(Encounter.EncounterStatus.fromCode(item.get("consultationEncounter").asText()));
			encounter.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
			encounter.addType(new CodeableConcept(new Coding(LOCAL, "lactation-consultation", null)));
			encounter.setSubject(new Reference(motherId()));
			encounter.getPeriod().setStartElement(new DateTimeType(day(item.get("day").asDouble()).toString()));
			add(encounter);
		} else if (item.has("consultationRequest")) {
			// A lactation consultation as a ServiceRequest: {"consultationRequest": "completed", "day": 8}
			ServiceRequest request = new ServiceRequest();
			request.setId("ServiceRequest/" + key + "-" + (++sequence));
			request.setStatus(ServiceRequest.ServiceRequestStatus.fromCode(item.get("consultationRequest").asText()));
			request.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
			request.setSubject(new Reference(motherId()));
			request.setCode(new CodeableConcept(new Coding(LOCAL, "lactation-consultation", null)));
			request.setOccurrence(new DateTimeType(day(item.get("day").asDouble()).toString()));
			request.setAuthoredOnElement(new DateTimeType(day(item.get("day").asDouble()).toString()));
			add(request);
		} else if (item.has("epds")) {
			Observation epds = observation(motherId(), LOINC, "71354-5", day(item.get("day").asDouble()));
			epds.setValue(new IntegerType(item.get("epds").asInt()));
			add(epds);
		} else if (item.has("epdsItem10")) {
			Observation item10 = observation(motherId(), LOCAL, "epds-item10", day(item.get("day").asDouble()));
			item10.setValue(new IntegerType(item.get("epdsItem10").asInt()));
			add(item10);
		} else {
			throw new IllegalArgumentException("unknown scenario data item: " + item);
		}
	}

	private Observation breastfeedingStatus(String answer, double atDay) {
		Observation status = observation(motherId(), LOINC, "63895-7", day(atDay));
		status.setValue(new CodeableConcept(new Coding(LOINC, answer, null)));
		return status;
	}

	/** A draft MedicationRequest: one ingredient as medicationCodeableConcept, several as a contained Medication. */
	private MedicationRequest draftMedication(JsonNode item) {
		MedicationRequest order = new MedicationRequest();
		order.setId("MedicationRequest/" + key + "-" + (++sequence));
		order.setStatus(MedicationRequest.MedicationRequestStatus.DRAFT);
		order.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
		order.setSubject(new Reference(motherId()));
		JsonNode ingredients = item.get("draftMedication");
		if (ingredients.size() == 1) {
			order.setMedication(rxNorm(ingredients.get(0)));
		} else {
			Medication medication = new Medication();
			medication.setId("med");
			ingredients.forEach(ingredient -> medication.addIngredient().setItem(rxNorm(ingredient)));
			order.addContained(medication);
			order.setMedication(new Reference("#med"));
		}
		Dosage dosage = order.addDosageInstruction();
		String unit = item.has("doseUnit") ? item.get("doseUnit").asText() : "mg";
		dosage.addDoseAndRate().setDose(new SimpleQuantity()
				.setValue(item.get("dose").decimalValue()).setSystem(UCUM).setCode(unit).setUnit(unit));
		dosage.getTiming().getRepeat()
				.setFrequency(item.get("frequency").asInt())
				.setPeriod(item.get("period").decimalValue())
				.setPeriodUnit(Timing.UnitsOfTime.fromCode(item.get("periodUnit").asText()));
		if (item.has("supplyDays")) {
			order.getDispenseRequest().setExpectedSupplyDuration((org.hl7.fhir.r4.model.Duration) new org.hl7.fhir.r4.model.Duration()
					.setValue(item.get("supplyDays").asInt()).setSystem(UCUM).setCode("d").setUnit("days"));
		}
		return order;
	}

	/** An active MedicationStatement of the mother (one ingredient), taken from the given day, with its daily dose. */
	private MedicationStatement medicationStatement(JsonNode item) {
		MedicationStatement statement = new MedicationStatement();
		statement.setId("MedicationStatement/" + key + "-" + (++sequence));
		statement.setStatus(MedicationStatement.MedicationStatementStatus.ACTIVE);
		statement.setSubject(new Reference(motherId()));
		statement.setMedication(rxNorm(item.get("medicationStatement").get(0)));
		statement.setEffective(new DateTimeType(day(item.get("day").asDouble()).toString()));
		Dosage dosage = statement.addDosage();
		dosage.addDoseAndRate().setDose(new SimpleQuantity()
				.setValue(item.get("dose").decimalValue()).setSystem(UCUM).setCode("mg").setUnit("mg"));
		dosage.getTiming().getRepeat()
				.setFrequency(item.get("frequency").asInt())
				.setPeriod(item.get("period").decimalValue())
				.setPeriodUnit(Timing.UnitsOfTime.fromCode(item.get("periodUnit").asText()));
		return statement;
	}

	private static CodeableConcept rxNorm(JsonNode ingredient) {
		return new CodeableConcept(new Coding(
				"http://www.nlm.nih.gov/research/umls/rxnorm", ingredient.get(0).asText(), ingredient.get(1).asText()));
	}

	private Observation quantity(String subject, String system, String code, Instant at, int value, String unit) {
		Observation observation = observation(subject, system, code, at);
		observation.setValue(new Quantity().setValue(value).setSystem(UCUM).setCode(unit).setUnit(unit));
		return observation;
	}

	private Observation observation(String subject, String system, String code, Instant at) {
		Observation observation = new Observation();
		observation.setId("Observation/" + key + "-" + (++sequence));
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.setCode(new CodeableConcept(new Coding(system, code, null)));
		observation.setSubject(new Reference(subject));
		if (at != null) {
			observation.setEffective(new DateTimeType(at.toString()));
		}
		return observation;
	}

	private void add(Resource resource) {
		bundle.addEntry().setFullUrl(resource.getIdElement().getValue()).setResource(resource);
	}
}
