package org.lactationcds.dyad;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/** The resources gathered for one evaluation, each once (by {@code Type/id}), in the order they were found. */
public final class PatientData {

	private final Map<String, Resource> resources = new LinkedHashMap<>();

	public void addAll(Collection<? extends Resource> found) {
		found.forEach(this::add);
	}

	public void add(Resource resource) {
		String key = reference(resource);
		resources.putIfAbsent(key == null ? "#" + resources.size() : key, resource);
	}

	public Optional<Resource> get(String reference) {
		return Optional.ofNullable(resources.get(reference));
	}

	public <T extends Resource> List<T> ofType(Class<T> type) {
		return resources.values().stream().filter(type::isInstance).map(type::cast).toList();
	}

	/** The data as the engine takes it: a collection Bundle. */
	public Bundle toBundle() {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
		resources.forEach((key, resource) -> bundle.addEntry().setFullUrl(key).setResource(resource));
		return bundle;
	}

	public int size() {
		return resources.size();
	}

	static String reference(Resource resource) {
		return resource.getIdElement().hasIdPart() ? resource.fhirType() + "/" + resource.getIdElement().getIdPart() : null;
	}
}
