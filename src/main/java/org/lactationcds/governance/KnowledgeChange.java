package org.lactationcds.governance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.Resource;
import org.lactationcds.knowledge.KnowledgePackage;

/**
 * One knowledge resource written or deleted by a publish.
 *
 * @param type the resource type
 * @param id the resource id; a create without one gets a placeholder that stands for it in the candidate
 * @param resource the new content, or null for a delete
 */
record KnowledgeChange(String type, String id, Resource resource) {

	String reference() {
		return type + "/" + id;
	}

	/** {@code base} with the changes applied: what would run if the publish were accepted. */
	static KnowledgePackage apply(KnowledgePackage base, List<KnowledgeChange> changes) {
		Map<String, Resource> byReference = new LinkedHashMap<>();
		base.resources().forEach(resource ->
				byReference.put(resource.fhirType() + "/" + resource.getIdElement().getIdPart(), resource));
		for (KnowledgeChange change : changes) {
			if (change.resource() == null) {
				byReference.remove(change.reference());
			} else {
				Resource copy = change.resource().copy();
				copy.setId(change.id());
				byReference.put(change.reference(), copy);
			}
		}
		List<Resource> resources = new ArrayList<>(byReference.values());
		Map<String, String> cql = new LinkedHashMap<>();
		for (Resource resource : resources) {
			if (resource instanceof Library library && KnowledgePackage.cqlContent(library) != null) {
				cql.put(KnowledgePackage.key(library.getName(), library.getVersion()), KnowledgePackage.cqlContent(library));
			}
		}
		return new KnowledgePackage("the candidate knowledge", resources, cql);
	}
}
