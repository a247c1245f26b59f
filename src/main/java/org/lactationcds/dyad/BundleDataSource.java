package org.lactationcds.dyad;

import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;

/**
 * Data held in memory, answering the queries the CDS services make: a read by {@code Type/id}, a search by
 * {@code patient=} (any other parameter ignored) and the dyad search {@code Patient?link=RelatedPerson/id}.
 */
public final class BundleDataSource implements FhirDataSource {

	private final List<Resource> resources;

	public BundleDataSource(List<Resource> resources) {
		this.resources = List.copyOf(resources);
	}

	@Override
	public List<Resource> fetch(String query) {
		int question = query.indexOf('?');
		if (question < 0) {
			return resources.stream().filter(resource -> query.equals(PatientData.reference(resource))).toList();
		}
		String type = query.substring(0, question);
		String parameters = query.substring(question + 1);
		String patient = parameter(parameters, "patient");
		String link = parameter(parameters, "link");
		return resources.stream()
				.filter(resource -> resource.fhirType().equals(type))
				.filter(resource -> patient == null || ("Patient/" + patient).equals(patientOf(resource)))
				.filter(resource -> link == null || (resource instanceof Patient candidate && candidate.getLink().stream()
						.anyMatch(other -> link.equals(other.getOther().getReference()))))
				.toList();
	}

	private static String parameter(String parameters, String name) {
		for (String parameter : parameters.split("&")) {
			if (parameter.startsWith(name + "=")) {
				return parameter.substring(name.length() + 1);
			}
		}
		return null;
	}

	private static String patientOf(Resource resource) {
		if (resource instanceof RelatedPerson related) {
			return related.getPatient().getReference();
		}
		var subject = resource.getNamedProperty("subject");
		return subject != null && !subject.getValues().isEmpty() && subject.getValues().get(0) instanceof Reference reference
				? reference.getReference()
				: null;
	}

	@Override
	public Optional<List<Resource>> remainingPages(Bundle firstPage) {
		return Optional.empty();
	}

	@Override
	public String describe() {
		return "data in memory";
	}
}
