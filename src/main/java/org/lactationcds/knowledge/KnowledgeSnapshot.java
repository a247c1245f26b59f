package org.lactationcds.knowledge;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.repository.IRepository;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.r4.model.Expression;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.TriggerDefinition;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.opencds.cqf.fhir.cr.CrSettings;
import org.opencds.cqf.fhir.utility.repository.InMemoryFhirRepository;

/**
 * The knowledge that evaluations run on, immutable once built: the resources in an in-memory content repository
 * (no database read while evaluating) and the engine settings whose caches hold the compiled CQL.
 */
public final class KnowledgeSnapshot {

	private final KnowledgePackage knowledge;
	private final IRepository content;
	private final CrSettings settings;
	private final Map<String, Set<String>> definitionsByLibrary;
	private final LogicDataRequirements dataRequirements;

	private KnowledgeSnapshot(KnowledgePackage knowledge, IRepository content, CrSettings settings,
			LogicDataRequirements dataRequirements) {
		this.knowledge = knowledge;
		this.content = content;
		this.settings = settings;
		this.definitionsByLibrary = definitionsByLibrary(knowledge);
		this.dataRequirements = dataRequirements;
	}

	/** A snapshot of compiled knowledge: call after {@link CqlLibraryCompiler#compile} filled the settings' caches. */
	public static KnowledgeSnapshot of(FhirContext fhirContext, KnowledgePackage knowledge, EvaluationSettings evaluationSettings) {
		InMemoryFhirRepository content = new InMemoryFhirRepository(fhirContext);
		knowledge.resources().forEach(content::update);
		KnowledgeSnapshot snapshot = new KnowledgeSnapshot(knowledge, content,
				CrSettings.getDefault().withEvaluationSettings(evaluationSettings),
				new LogicDataRequirements(fhirContext, knowledge, evaluationSettings));
		snapshot.checkDataRequirements();
		return snapshot;
	}

	/**
	 * What the dyad assembly reads of each member to apply {@code plan}: the dyad links, and the data requirements its
	 * library declares for what the plan's rules retrieve (a PlanDefinition narrowed to one hook's actions reads only
	 * what those need). A plan without a library reads the links only.
	 */
	public List<DataRequirement> dataRequirements(PlanDefinition plan) {
		Set<String> names = new HashSet<>();
		collect(plan.getAction(), names);
		List<DataRequirement> reads = new ArrayList<>(DataRequirement.DYAD_LINKS);
		for (var library : plan.getLibrary()) {
			dataRequirements.of(library.getValue(), names).stream().filter(read -> !reads.contains(read)).forEach(reads::add);
		}
		return List.copyOf(reads);
	}

	/**
	 * Fails the knowledge when a rule retrieves patient data its library does not declare, or a library declares data
	 * no rule reads; and computes each hook's reads up front, so that no call pays the analysis.
	 */
	private void checkDataRequirements() {
		Map<String, Set<String>> namesByLibrary = new HashMap<>();
		for (PlanDefinition plan : knowledge.resourcesOfType(PlanDefinition.class)) {
			for (var library : plan.getLibrary()) {
				collect(plan.getAction(), namesByLibrary.computeIfAbsent(library.getValue(), ignored -> new HashSet<>()));
			}
		}
		namesByLibrary.forEach(dataRequirements::checkAllRead);
		for (PlanDefinition plan : knowledge.resourcesOfType(PlanDefinition.class)) {
			dataRequirements(plan);
			Set<String> hooks = new TreeSet<>();
			plan.getAction().forEach(action -> action.getTrigger().stream()
					.filter(trigger -> trigger.getType() == TriggerDefinition.TriggerType.NAMEDEVENT)
					.forEach(trigger -> hooks.add(trigger.getName())));
			for (String hook : hooks) {
				dataRequirements(triggeredBy(plan, hook));
			}
		}
	}

	/** {@code plan} narrowed to the actions a named event triggers (what a CDS service for that hook applies). */
	public static PlanDefinition triggeredBy(PlanDefinition plan, String event) {
		PlanDefinition narrowed = plan.copy();
		narrowed.getAction().clear();
		for (PlanDefinition.PlanDefinitionActionComponent action : plan.getAction()) {
			if (action.getTrigger().stream().anyMatch(trigger -> trigger.getType() == TriggerDefinition.TriggerType.NAMEDEVENT
					&& event.equals(trigger.getName()))) {
				narrowed.addAction(action.copy());
			}
		}
		return narrowed;
	}

	public KnowledgePackage knowledge() {
		return knowledge;
	}

	public IRepository content() {
		return content;
	}

	public CrSettings settings() {
		return settings;
	}

	/**
	 * For each library (unversioned url), the CQL definitions (text/cql-identifier) that the PlanDefinitions using
	 * it name in their actions' conditions and dynamic values: what one evaluation of a subject needs.
	 */
	public Map<String, Set<String>> definitionsByLibrary() {
		return definitionsByLibrary;
	}

	/**
	 * As {@link #definitionsByLibrary()}, with {@code plan}'s library limited to the definitions {@code plan} names
	 * (a PlanDefinition narrowed to some of its actions evaluates only what those need).
	 */
	public Map<String, Set<String>> definitionsByLibrary(PlanDefinition plan) {
		Map<String, Set<String>> byLibrary = new HashMap<>(definitionsByLibrary);
		byLibrary.putAll(definitionsByLibrary(List.of(plan)));
		return Map.copyOf(byLibrary);
	}

	private static Map<String, Set<String>> definitionsByLibrary(KnowledgePackage knowledge) {
		return definitionsByLibrary(knowledge.resourcesOfType(PlanDefinition.class));
	}

	private static Map<String, Set<String>> definitionsByLibrary(List<PlanDefinition> plans) {
		Map<String, Set<String>> byLibrary = new HashMap<>();
		for (PlanDefinition plan : plans) {
			if (plan.getLibrary().size() != 1) {
				continue; // an expression's library is ambiguous: leave that plan to the engine's own way
			}
			String library = plan.getLibrary().get(0).getValue().split("\\|")[0];
			collect(plan.getAction(), byLibrary.computeIfAbsent(library, ignored -> new HashSet<>()));
		}
		byLibrary.replaceAll((library, names) -> Set.copyOf(names));
		return Map.copyOf(byLibrary);
	}

	private static void collect(List<PlanDefinition.PlanDefinitionActionComponent> actions, Set<String> names) {
		for (PlanDefinition.PlanDefinitionActionComponent action : actions) {
			action.getCondition().forEach(condition -> add(condition.getExpression(), names));
			action.getDynamicValue().forEach(value -> add(value.getExpression(), names));
			collect(action.getAction(), names);
		}
	}

	private static void add(Expression expression, Set<String> names) {
		if (expression != null && "text/cql-identifier".equals(expression.getLanguage()) && expression.hasExpression()) {
			names.add(expression.getExpression());
		}
	}

	public Optional<PlanDefinition> planDefinition(String id) {
		return knowledge.resourcesOfType(PlanDefinition.class).stream()
				.filter(plan -> plan.getIdElement().getIdPart().equals(id))
				.findFirst();
	}
}
