package org.lactationcds.readmodel;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.parser.DataFormatException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which patient a store query's whole answer belongs to, when it belongs to one: {@code Patient/{id}}, or a search
 * by a {@code patient} parameter that puts its matches in that patient's compartment, filtered only by the matches'
 * own content. Such an answer changes only when a resource in the compartment changes, that is when the patient's
 * data version changes. Chains, {@code _has}, includes and modifiers ({@code :in} asks a ValueSet) read other
 * resources, so queries using them have no owner and are never cached.
 */
final class PatientQuery {

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

	private PatientQuery() {}

	static Optional<String> ownerOf(String query, FhirContext fhirContext) {
		int question = query.indexOf('?');
		if (question < 0) {
			String[] parts = query.split("/", -1);
			return parts.length == 2 && parts[0].equals("Patient") && ID.matcher(parts[1]).matches()
					? Optional.of(parts[1]) : Optional.empty();
		}
		String type = query.substring(0, question);
		if (!patientParameterPlacesInCompartment(type, fhirContext)) {
			return Optional.empty();
		}
		String owner = null;
		for (String parameter : query.substring(question + 1).split("&")) {
			int equals = parameter.indexOf('=');
			if (equals <= 0) {
				return Optional.empty();
			}
			String name = parameter.substring(0, equals);
			String value = URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8);
			if (name.equals("patient")) {
				String id = value.startsWith("Patient/") ? value.substring("Patient/".length()) : value;
				if (owner != null || !ID.matcher(id).matches()) {
					return Optional.empty();
				}
				owner = id;
			} else if (!name.equals("_count") && !name.equals("_sort")
					&& (name.startsWith("_") || name.contains(".") || name.contains(":"))) {
				return Optional.empty();
			}
		}
		return Optional.ofNullable(owner);
	}

	private static boolean patientParameterPlacesInCompartment(String type, FhirContext fhirContext) {
		try {
			RuntimeResourceDefinition definition = fhirContext.getResourceDefinition(type);
			return definition.getSearchParamsForCompartmentName("Patient").stream()
					.map(RuntimeSearchParam::getName)
					.anyMatch("patient"::equals);
		} catch (DataFormatException unknownType) {
			return false;
		}
	}
}
