package org.lactationcds.cds;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.lactationcds.knowledge.DataRequirement;

/**
 * One CDS service of the discovery document: a hook answered with the rules of one PlanDefinition that the hook
 * triggers.
 *
 * @param planDefinition the versioned canonical applied
 * @param rules the rule ids (action codes) the hook triggers
 * @param plan the PlanDefinition narrowed to the actions the hook triggers: what is applied
 * @param definitions the CQL definitions to evaluate, by library (see KnowledgeSnapshot#definitionsByLibrary)
 * @param actions every action of {@code plan} (rules by their code, suggestions by their id), in document order
 * @param dyadSubjects whether every dyad member is evaluated, or only the patient in context (the knowledge says which,
 *     per hook)
 * @param systemCards the texts of the cards the service gives itself (a rule not evaluated, data not read)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record CdsServiceDefinition(
		String id,
		@JsonIgnore Hook hook,
		String title,
		String description,
		@JsonIgnore List<PrefetchTemplate> prefetchTemplates,
		@JsonIgnore String planDefinition,
		@JsonIgnore Set<String> rules,
		@JsonIgnore PlanDefinition plan,
		@JsonIgnore Map<String, Set<String>> definitions,
		@JsonIgnore Map<String, PlanDefinition.PlanDefinitionActionComponent> actions,
		@JsonIgnore boolean dyadSubjects,
		@JsonIgnore SystemCards systemCards) {

	@JsonProperty("hook")
	public String hookId() {
		return hook.id();
	}

	/** What is read of each dyad member: the prefetch templates as data requirements. */
	@JsonIgnore
	public List<DataRequirement> dataRequirements() {
		return prefetchTemplates.stream().map(PrefetchTemplate::requirement).toList();
	}

	@JsonProperty("prefetch")
	public Map<String, String> prefetch() {
		Map<String, String> prefetch = new LinkedHashMap<>();
		prefetchTemplates.forEach(template -> prefetch.put(template.key(), template.query()));
		return prefetch;
	}
}
