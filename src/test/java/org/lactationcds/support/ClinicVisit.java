package org.lactationcds.support;

import java.math.BigDecimal;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Observation.ObservationStatus;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;

/**
 * A postpartum clinic visit as a clinic would send it: one transaction with the mother, the infant, the
 * RelatedPerson that links them (clinical-rules.md §0.2) and ten observations. Patients are conditionally created
 * by identifier, so re-sending a visit does not duplicate them.
 */
public final class ClinicVisit {

	public static final String LOINC = "http://loinc.org";
	public static final String SNOMED = "http://snomed.info/sct";
	public static final String UCUM = "http://unitsofmeasure.org";
	public static final String PATIENT_IDS = "urn:lactation-cds:test:patient";
	public static final String OBSERVATION_IDS = "urn:lactation-cds:test:observation";

	private ClinicVisit() {}

	public static Patient infant(String key) {
		Patient infant = new Patient();
		infant.addIdentifier().setSystem(PATIENT_IDS).setValue("inf-" + key);
		infant.setGender(AdministrativeGender.FEMALE);
		infant.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("2025-03-01"));
		return infant;
	}

	public static Observation weight(Reference subject, int grams, String effective) {
		Observation weight = observation(subject, LOINC, "29463-7", "Body weight", effective);
		weight.setValue(new Quantity().setValue(grams).setUnit("g").setSystem(UCUM).setCode("g"));
		return weight;
	}

	public static Observation observation(Reference subject, String system, String code, String display, String effective) {
		Observation observation = new Observation();
		observation.setStatus(ObservationStatus.FINAL);
		observation.setCode(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(system, code, display)));
		observation.setSubject(subject);
		observation.setEffective(new DateTimeType(effective));
		return observation;
	}

	/** The whole visit as a transaction bundle: 13 resources. */
	public static Bundle transaction(String key) {
		Bundle bundle = new Bundle().setType(BundleType.TRANSACTION);
		Patient infant = infant(key);
		String infantUrl = add(bundle, infant, "identifier=" + PATIENT_IDS + "|inf-" + key);

		RelatedPerson mother = new RelatedPerson();
		mother.setPatient(new Reference(infantUrl));
		mother.addRelationship().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/v3-RoleCode").setCode("MTH");
		String relatedPersonUrl = add(bundle, mother, null);

		Patient mom = new Patient();
		mom.addIdentifier().setSystem(PATIENT_IDS).setValue("mom-" + key);
		mom.setGender(AdministrativeGender.FEMALE);
		mom.addLink().setOther(new Reference(relatedPersonUrl)).setType(Patient.LinkType.SEEALSO);
		String momUrl = add(bundle, mom, "identifier=" + PATIENT_IDS + "|mom-" + key);

		Reference inf = new Reference(infantUrl);
		Reference momRef = new Reference(momUrl);
		Observation birthWeight = observation(inf, LOINC, "8339-4", "Birth weight Measured", "2025-03-01T08:00:00Z");
		birthWeight.setValue(new Quantity().setValue(3500).setUnit("g").setSystem(UCUM).setCode("g"));
		addObservation(bundle, key, 0, birthWeight);
		int[] grams = {3400, 3330, 3290, 3310};
		for (int day = 1; day <= grams.length; day++) {
			addObservation(bundle, key, day, weight(inf, grams[day - 1], "2025-03-0" + (1 + day) + "T08:00:00Z"));
		}
		Observation temperature = observation(momRef, LOINC, "8310-5", "Body temperature", "2025-03-05T08:00:00Z");
		temperature.setValue(new Quantity().setValue(new BigDecimal("37.2")).setUnit("Cel").setSystem(UCUM).setCode("Cel"));
		addObservation(bundle, key, 5, temperature);
		Observation breastfeeding = observation(momRef, LOINC, "63895-7", "Breastfeeding status", "2025-03-05T08:00:00Z");
		breastfeeding.setValue(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(LOINC, "LA29252-6", "Currently breastfeeding")));
		addObservation(bundle, key, 6, breastfeeding);
		addObservation(bundle, key, 7, observation(momRef, SNOMED, "200416006", "Breast engorgement", "2025-03-04T08:00:00Z"));
		addObservation(bundle, key, 8, observation(momRef, SNOMED, "53430007", "Pain of breast", "2025-03-04T08:00:00Z"));
		Observation pain = observation(momRef, LOINC, "72514-3", "Pain severity 0-10", "2025-03-04T08:00:00Z");
		pain.setValue(new org.hl7.fhir.r4.model.IntegerType(4));
		addObservation(bundle, key, 9, pain);
		return bundle;
	}

	private static void addObservation(Bundle bundle, String key, int index, Observation observation) {
		observation.addIdentifier().setSystem(OBSERVATION_IDS).setValue(key + "-" + index);
		add(bundle, observation, "identifier=" + OBSERVATION_IDS + "|" + key + "-" + index);
	}

	private static String add(Bundle bundle, Resource resource, String ifNoneExist) {
		String fullUrl = IdType.newRandomUuid().getValue();
		bundle.addEntry()
				.setFullUrl(fullUrl)
				.setResource(resource)
				.getRequest()
				.setMethod(HTTPVerb.POST)
				.setUrl(resource.fhirType())
				.setIfNoneExist(ifNoneExist);
		return fullUrl;
	}
}
