package org.lactationcds.knowledge;

import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.Resource;

/**
 * The knowledge as read from {@code fhir-resources/}: every FHIR resource, with each CQL Library carrying its source
 * as {@code text/cql} content, and the CQL sources by library name.
 */
public record KnowledgePackage(String location, List<Resource> resources, Map<String, String> cqlByLibraryName) {

	public KnowledgePackage {
		resources = List.copyOf(resources);
		cqlByLibraryName = Map.copyOf(cqlByLibraryName);
	}

	public List<Library> cqlLibraries() {
		return resources.stream()
				.filter(Library.class::isInstance)
				.map(Library.class::cast)
				.filter(library -> cqlByLibraryName.containsKey(library.getName()))
				.toList();
	}

	public <T extends Resource> List<T> resourcesOfType(Class<T> type) {
		return resources.stream().filter(type::isInstance).map(type::cast).toList();
	}
}
