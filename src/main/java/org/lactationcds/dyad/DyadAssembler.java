package org.lactationcds.dyad;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.lactationcds.knowledge.DataRequirement;

/**
 * Gathers the dyad of clinical-rules.md section 0.2 around the patient in context: an infant is the patient of a
 * RelatedPerson with relationship v3-RoleCode MTH, and the mother's Patient.link.other points at that RelatedPerson.
 * Every member's data is read by the same {@link DataRequirement}s from one source (the patient in context's may come
 * from elsewhere first: CDS prefetch). What cannot be read (a link, the partner, one of their keys) is listed in
 * {@link Dyad#unavailable()}: the patient in context is evaluated with what was obtained, never refused for the
 * partner's sake.
 */
public final class DyadAssembler {

	private static final String ROLE_CODES = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";

	/** The patient in context's own data, from wherever the caller has it; what could not be read goes to the list. */
	@FunctionalInterface
	public interface PatientInContextData {

		/** @throws DataUnavailableException when the Patient itself cannot be had */
		List<Resource> read(List<String> unavailable);
	}

	/** Everyone's data read from {@code source}; throws {@link DataUnavailableException} when the Patient is not there. */
	public Dyad assemble(String patientId, List<DataRequirement> requirements, FhirDataSource source) {
		return assemble(patientId, requirements, source, unavailable -> {
			List<Resource> resources = read(patientId, requirements, source, unavailable, false);
			if (resources.stream().noneMatch(resource -> resource instanceof Patient
					&& patientId.equals(resource.getIdElement().getIdPart()))) {
				throw new DataUnavailableException("Patient/" + patientId + " is not found at " + source.describe());
			}
			return resources;
		}, List.of());
	}

	/**
	 * The dyad with the patient in context's data from {@code own}, the partners' read from {@code source}, and
	 * {@code drafts} (an order hook's draft orders) added after everyone's data.
	 */
	public Dyad assemble(String patientId, List<DataRequirement> requirements, FhirDataSource source,
			PatientInContextData own, List<Resource> drafts) {
		PatientData data = new PatientData();
		List<String> unavailable = new ArrayList<>();
		data.addAll(own.read(unavailable));

		Map<String, Dyad.Role> members = new LinkedHashMap<>();
		List<String> mothers = new ArrayList<>();
		List<String> infants = new ArrayList<>();
		for (RelatedPerson link : data.ofType(RelatedPerson.class)) {
			if (isMotherLink(link) && ("Patient/" + patientId).equals(link.getPatient().getReference())) {
				String query = "Patient?link=RelatedPerson/" + link.getIdElement().getIdPart();
				for (Resource mother : fetchOrNote(source, query, "the mother linked by RelatedPerson/"
						+ link.getIdElement().getIdPart(), unavailable)) {
					mothers.add(mother.getIdElement().getIdPart());
				}
			}
		}
		Patient patient = data.get("Patient/" + patientId).map(Patient.class::cast).orElseThrow();
		for (Patient.PatientLinkComponent link : patient.getLink()) {
			String other = link.getOther().getReference();
			if (other == null || !other.startsWith("RelatedPerson/")) {
				continue;
			}
			for (Resource found : fetchOrNote(source, other, "the infant link " + other, unavailable)) {
				if (found instanceof RelatedPerson related && isMotherLink(related) && related.getPatient().hasReference()) {
					data.add(related);
					infants.add(related.getPatient().getReferenceElement().getIdPart());
				}
			}
		}
		members.put(patientId, infants.isEmpty() && !mothers.isEmpty() ? Dyad.Role.INFANT
				: infants.isEmpty() ? Dyad.Role.UNLINKED : Dyad.Role.MOTHER);
		for (String mother : mothers) {
			members.putIfAbsent(mother, Dyad.Role.MOTHER);
		}
		for (String infant : infants) {
			members.putIfAbsent(infant, Dyad.Role.INFANT);
		}
		for (String partner : List.copyOf(members.keySet())) {
			if (!partner.equals(patientId)) {
				data.addAll(read(partner, requirements, source, unavailable, true));
				if (data.get("Patient/" + partner).isEmpty()) {
					// Without the partner's Patient its rules cannot run; the patient in context still is evaluated.
					members.remove(partner);
				}
			}
		}
		data.addAll(drafts);
		addReferencedMedications(data, source, unavailable);
		return new Dyad(patientId, members, data, unavailable);
	}

	/**
	 * A member's resources, requirement by requirement; one that cannot be read is noted in {@code unavailable}. For a
	 * partner ({@code stopAtFirstFailure}) one refusal or timeout is enough to know: the other keys are not tried
	 * (bounded call time).
	 */
	private static List<Resource> read(String patientId, List<DataRequirement> requirements, FhirDataSource source,
			List<String> unavailable, boolean stopAtFirstFailure) {
		List<Resource> resources = new ArrayList<>();
		for (int i = 0; i < requirements.size(); i++) {
			DataRequirement requirement = requirements.get(i);
			try {
				resources.addAll(source.fetch(requirement.forPatient(patientId)));
			} catch (DataUnavailableException e) {
				int left = requirements.size() - i - 1;
				unavailable.add("'" + requirement.key() + "' of Patient/" + patientId + ": " + e.getMessage()
						+ (stopAtFirstFailure && left > 0 ? " (" + left + " more of this patient's data not tried)" : ""));
				if (stopAtFirstFailure) {
					break;
				}
			}
		}
		return resources;
	}

	private static List<Resource> fetchOrNote(FhirDataSource source, String query, String what, List<String> unavailable) {
		try {
			return source.fetch(query);
		} catch (DataUnavailableException e) {
			unavailable.add(what + ": " + e.getMessage());
			return List.of();
		}
	}

	/**
	 * A MedicationRequest or MedicationStatement may name its drug by a stored Medication: read it from the same
	 * source as the order, so the rules see its ingredients (clinical-rules.md 5.7).
	 */
	private static void addReferencedMedications(PatientData data, FhirDataSource source, List<String> unavailable) {
		List<String> references = new ArrayList<>();
		for (MedicationRequest order : data.ofType(MedicationRequest.class)) {
			if (order.getMedication() instanceof Reference medication) {
				references.add(medication.getReference());
			}
		}
		for (MedicationStatement statement : data.ofType(MedicationStatement.class)) {
			if (statement.getMedication() instanceof Reference medication) {
				references.add(medication.getReference());
			}
		}
		references.stream()
				.filter(reference -> reference != null && reference.startsWith("Medication/"))
				.distinct()
				.filter(reference -> data.get(reference).isEmpty())
				.forEach(reference -> data.addAll(fetchOrNote(source, reference, reference, unavailable)));
	}

	/**
	 * The patient and the dyad members linked to her, as {@link #assemble} finds them: her mothers (a RelatedPerson MTH
	 * whose patient is she, named in the mother's Patient.link) and her infants (the patients of the mother
	 * RelatedPersons her own Patient.link names). Only dyad links are read: RelatedPersons and the Patients linking to
	 * them, and her own Patient. A handful of reads, whatever the store holds.
	 *
	 * @throws DataUnavailableException when a link cannot be read
	 */
	public static Set<String> membersAround(String patientId, FhirDataSource source) {
		Set<String> members = new LinkedHashSet<>();
		members.add(patientId);
		members.addAll(mothersOf(patientId, source));
		members.addAll(infantsOf(patientId, source));
		return members;
	}

	/** The mothers of {@code infantId}: a RelatedPerson MTH whose patient is she, and the Patients whose link names it. */
	public static List<String> mothersOf(String infantId, FhirDataSource source) {
		List<String> mothers = new ArrayList<>();
		for (Resource resource : source.fetch("RelatedPerson?patient=" + infantId)) {
			if (resource instanceof RelatedPerson related && isMotherLink(related)
					&& ("Patient/" + infantId).equals(related.getPatient().getReferenceElement().toUnqualifiedVersionless().getValue())) {
				for (Resource mother : source.fetch("Patient?link=RelatedPerson/" + related.getIdElement().getIdPart())) {
					mothers.add(mother.getIdElement().getIdPart());
				}
			}
		}
		return mothers;
	}

	/** The infants of {@code motherId}: the patients of the mother RelatedPersons her Patient.link names. */
	public static List<String> infantsOf(String motherId, FhirDataSource source) {
		List<String> infants = new ArrayList<>();
		for (Resource resource : source.fetch("Patient/" + motherId)) {
			if (!(resource instanceof Patient mother)) {
				continue;
			}
			for (Patient.PatientLinkComponent link : mother.getLink()) {
				String other = link.getOther().getReference();
				if (other == null || !other.startsWith("RelatedPerson/")) {
					continue;
				}
				for (Resource found : source.fetch(other)) {
					if (found instanceof RelatedPerson related && isMotherLink(related) && related.getPatient().hasReference()) {
						infants.add(related.getPatient().getReferenceElement().getIdPart());
					}
				}
			}
		}
		return infants;
	}

	/** Whether the RelatedPerson records its person as the patient's mother (v3 RoleCode MTH). */
	public static boolean isMotherLink(RelatedPerson related) {
		for (CodeableConcept relationship : related.getRelationship()) {
			for (Coding coding : relationship.getCoding()) {
				if (ROLE_CODES.equals(coding.getSystem()) && "MTH".equals(coding.getCode())) {
					return true;
				}
			}
		}
		return false;
	}
}
