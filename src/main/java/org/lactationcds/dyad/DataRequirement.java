package org.lactationcds.dyad;

import java.util.List;

/**
 * One read of a dyad member's data: a relative FHIR query in which {@value #PATIENT} stands for the member. The query
 * is written in CDS Hooks prefetch syntax so that the CDS services can publish the same list as their prefetch
 * templates: what an EHR prefetches, what is fetched for the partner and what {@code $apply} reads are one list.
 *
 * @param key the prefetch key
 * @param query the query, with {@value #PATIENT} for the member's bare id and no other token
 */
public record DataRequirement(String key, String query) {

	public static final String PATIENT = "{{context.patientId}}";

	/** What the rules read of each dyad member (clinical-rules.md section 1.x). */
	public static final List<DataRequirement> DYAD = List.of(
			new DataRequirement("patient", "Patient/" + PATIENT),
			new DataRequirement("related", "RelatedPerson?patient=" + PATIENT),
			new DataRequirement("obs", "Observation?patient=" + PATIENT + "&_sort=-date&_count=200"),
			new DataRequirement("cond", "Condition?patient=" + PATIENT),
			new DataRequirement("careplans", "CarePlan?patient=" + PATIENT + "&status=active"),
			new DataRequirement("meds", "MedicationRequest?patient=" + PATIENT + "&status=active"),
			new DataRequirement("medstatements", "MedicationStatement?patient=" + PATIENT + "&status=active"),
			new DataRequirement("procs", "Procedure?patient=" + PATIENT),
			// A lactation consultation may be recorded as a finished Encounter (MED-GALACTOGOGUE, clinical-rules.md 1).
			new DataRequirement("encounters", "Encounter?patient=" + PATIENT + "&status=finished"),
			// A referral on record means a referral suggestion is not offered again (clinical-rules.md 5.13).
			new DataRequirement("referrals", "ServiceRequest?patient=" + PATIENT + "&status=active,completed"),
			// Relactation intent may be recorded as a Goal (clinical-rules.md 5.9).
			new DataRequirement("goals", "Goal?patient=" + PATIENT));

	/** Order review: the draft orders against the mother's findings; active medications are not re-reviewed. */
	public static final List<DataRequirement> ORDER_REVIEW = DYAD.stream()
			.filter(requirement -> !requirement.key().equals("meds") && !requirement.key().equals("medstatements"))
			.toList();

	public DataRequirement {
		if (!query.replace(PATIENT, "").matches("[^{}]*")) {
			throw new IllegalArgumentException("a data requirement names only " + PATIENT + ": " + query);
		}
	}

	/** The query for one member. */
	public String forPatient(String patientId) {
		return query.replace(PATIENT, patientId);
	}
}
