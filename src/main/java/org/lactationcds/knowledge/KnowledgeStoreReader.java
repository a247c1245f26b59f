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

/** Reads the knowledge that is in the FHIR store: the knowledge that runs, whoever published it. */
public final class KnowledgeStoreReader {

	/** The resource types that make up the knowledge. */
	public static final List<String> KNOWLEDGE_TYPES =
			List.of("CodeSystem", "ValueSet", "Library", "ActivityDefinition", "PlanDefinition");

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
}
