package org.lactationcds.knowledge;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.StringType;

/**
 * One read of a dyad member's data: a relative FHIR query in which {@value #PATIENT} stands for the member. The
 * knowledge declares them on a PlanDefinition's library ({@code Library.dataRequirement}, the element id as the key and
 * the query in the {@value #QUERY_PATTERN} extension, as CDS Hooks on FHIR reads them), and each service reads those its
 * rules' logic retrieves ({@link LogicDataRequirements}). The query is in CDS Hooks prefetch syntax, so what an EHR
 * prefetches, what is fetched for the partner and what {@code $apply} reads are one list.
 *
 * @param key the prefetch key
 * @param query the query, with {@value #PATIENT} for the member's bare id and no other token
 */
public record DataRequirement(String key, String query) {

	public static final String PATIENT = "{{context.patientId}}";
	public static final String QUERY_PATTERN = "http://hl7.org/fhir/StructureDefinition/cqf-fhirQueryPattern";

	/**
	 * What the dyad assembly reads of every member whatever the rules: the Patient (her links) and the RelatedPersons
	 * naming her (her mother's link). clinical-rules.md 0.2.
	 */
	public static final List<DataRequirement> DYAD_LINKS = List.of(
			new DataRequirement("patient", "Patient/" + PATIENT),
			new DataRequirement("related", "RelatedPerson?patient=" + PATIENT));

	public DataRequirement {
		if (key == null || !key.matches("[A-Za-z0-9_-]+")) {
			throw new IllegalArgumentException("a data requirement needs a key of letters, digits, '-' or '_': " + key);
		}
		if (query == null || !query.replace(PATIENT, "").matches("[^{}]*") || !query.contains(PATIENT)) {
			throw new IllegalArgumentException("a data requirement's query names " + PATIENT + " and no other token: " + query);
		}
	}

	/** The resource type the query reads. */
	public String type() {
		return query.split("[/?]", 2)[0];
	}

	/** The query for one member. */
	public String forPatient(String patientId) {
		return query.replace(PATIENT, patientId);
	}

	/** The requirements {@code library} declares, in its order; throws {@link KnowledgeException} on one it cannot use. */
	static List<DataRequirement> declaredBy(Library library) {
		List<DataRequirement> declared = new ArrayList<>();
		for (org.hl7.fhir.r4.model.DataRequirement requirement : library.getDataRequirement()) {
			String where = "Library/" + library.getName() + " dataRequirement " + requirement.getType();
			var pattern = requirement.getExtensionByUrl(QUERY_PATTERN);
			if (pattern == null || !(pattern.getValue() instanceof StringType query)) {
				throw new KnowledgeException(where + " has no " + QUERY_PATTERN + " string");
			}
			try {
				DataRequirement read = new DataRequirement(requirement.getId(), query.getValue());
				if (!read.type().equals(requirement.getType())) {
					throw new KnowledgeException(where + ": its query reads " + read.type());
				}
				declared.add(read);
			} catch (IllegalArgumentException e) {
				throw new KnowledgeException(where + ": " + e.getMessage());
			}
		}
		return declared;
	}
}
