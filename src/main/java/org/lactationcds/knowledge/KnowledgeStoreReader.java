package org.lactationcds.knowledge;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.Resource;

/**
 * Reads the published knowledge from the FHIR store: the knowledge resources whose canonical url lies under the
 * project's canonical base (writes there are governed: publisher permission and a whole-set check). Resources of the
 * same types elsewhere in the store (a clinic's own ValueSet, an unrelated Library) are data, never rules.
 */
public final class KnowledgeStoreReader {

	/** The resource types that make up the knowledge. */
	public static final List<String> KNOWLEDGE_TYPES =
			List.of("CodeSystem", "ValueSet", "ConceptMap", "Library", "ActivityDefinition", "PlanDefinition", "Questionnaire");

	/** The canonical space of the project's knowledge. */
	public static final String CANONICAL_BASE = "http://lactation-cds.org/fhir/";

	private final DaoRegistry daoRegistry;

	public KnowledgeStoreReader(DaoRegistry daoRegistry) {
		this.daoRegistry = daoRegistry;
	}

	public KnowledgePackage read() {
		List<Resource> resources = new ArrayList<>();
		Map<String, String> cqlByLibrary = new HashMap<>();
		for (String type : KNOWLEDGE_TYPES) {
			daoRegistry.getResourceDao(type)
					.search(SearchParameterMap.newSynchronous(), new SystemRequestDetails())
					.getAllResources()
					.stream()
					.filter(KnowledgeStoreReader::published)
					.forEach(resource -> resources.add((Resource) resource));
		}
		for (Resource resource : resources) {
			if (resource instanceof Library library && KnowledgePackage.cqlContent(library) != null) {
				cqlByLibrary.put(KnowledgePackage.key(library.getName(), library.getVersion()),
						KnowledgePackage.cqlContent(library));
			}
		}
		return new KnowledgePackage("the FHIR store", resources, cqlByLibrary);
	}

	/** The stored resource, if there is one (deleted counts as none). */
	public java.util.Optional<org.hl7.fhir.instance.model.api.IBaseResource> readOne(String type, String id) {
		try {
			return java.util.Optional.of(daoRegistry.getResourceDao(type)
					.read(new org.hl7.fhir.r4.model.IdType(type, id), new SystemRequestDetails()));
		} catch (ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException
				| ca.uhn.fhir.rest.server.exceptions.ResourceGoneException e) {
			return java.util.Optional.empty();
		}
	}

	/** Whether a resource is in the project's canonical space. */
	public static boolean published(org.hl7.fhir.instance.model.api.IBaseResource resource) {
		return resource instanceof org.hl7.fhir.r4.model.MetadataResource artifact
				&& artifact.hasUrl()
				&& artifact.getUrl().startsWith(CANONICAL_BASE);
	}
}
