package org.lactationcds.knowledge;

import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.Resource;

/**
 * The knowledge as read from {@code fhir-resources/} or from the store: every FHIR resource, with each CQL Library
 * carrying its source as {@code text/cql} content, and the CQL sources by {@code name|version} (the store may hold
 * several versions of a library).
 */
public record KnowledgePackage(String location, List<Resource> resources, Map<String, String> cqlByLibrary) {

	public KnowledgePackage {
		resources = List.copyOf(resources);
		cqlByLibrary = Map.copyOf(cqlByLibrary);
	}

	public static String key(String name, String version) {
		return name + "|" + version;
	}

	public List<Library> cqlLibraries() {
		return resources.stream()
				.filter(Library.class::isInstance)
				.map(Library.class::cast)
				.filter(library -> cqlByLibrary.containsKey(key(library.getName(), library.getVersion())))
				.toList();
	}

	/** The CQL source a Library carries as {@code text/cql} content, or null. */
	public static String cqlContent(Library library) {
		for (org.hl7.fhir.r4.model.Attachment content : library.getContent()) {
			if ("text/cql".equals(content.getContentType()) && content.hasData()) {
				return new String(content.getData(), java.nio.charset.StandardCharsets.UTF_8);
			}
		}
		return null;
	}

	public String cql(String name, String version) {
		return cqlByLibrary.get(key(name, version));
	}

	public <T extends Resource> List<T> resourcesOfType(Class<T> type) {
		return resources.stream().filter(type::isInstance).map(type::cast).toList();
	}
}
