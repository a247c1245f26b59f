package org.lactationcds.cds;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.lactationcds.knowledge.KnowledgeException;
import org.lactationcds.knowledge.KnowledgeSnapshot;

/**
 * The CDS services, one per hook, built from the red-flag PlanDefinition of the running knowledge: a service
 * answers the rules whose action has a named-event trigger for its hook.
 */
public final class CdsServiceCatalog {

	static final String HOOK_SUBJECTS = "http://lactation-cds.org/fhir/StructureDefinition/hook-subjects";

	private final String planDefinitionId;
	/** The services of the last snapshot asked for: built once per knowledge version, not per call. */
	private volatile Built built;

	private record Built(KnowledgeSnapshot knowledge, List<CdsServiceDefinition> services) {}

	public CdsServiceCatalog(String planDefinitionId) {
		this.planDefinitionId = planDefinitionId;
	}

	public List<CdsServiceDefinition> services(KnowledgeSnapshot knowledge) {
		Built current = built;
		if (current == null || current.knowledge() != knowledge) {
			current = new Built(knowledge, build(knowledge));
			built = current;
		}
		return current.services();
	}

	private List<CdsServiceDefinition> build(KnowledgeSnapshot knowledge) {
		PlanDefinition plan = knowledge.planDefinition(planDefinitionId)
				.orElseThrow(() -> new KnowledgeException("no PlanDefinition/" + planDefinitionId + " in the knowledge"));
		List<CdsServiceDefinition> services = new ArrayList<>();
		for (Hook hook : Hook.values()) {
			PlanDefinition narrowed = KnowledgeSnapshot.triggeredBy(plan, hook.id());
			Set<String> rules = new LinkedHashSet<>();
			narrowed.getAction().forEach(action -> rules.add(action.getCodeFirstRep().getCodingFirstRep().getCode()));
			if (rules.isEmpty()) {
				continue;
			}
			// What the EHR is asked to prefetch for the patient in context, and what is read of the partner: what this
			// hook's rules retrieve, by the queries the knowledge declares (the partner cannot be named in a template).
			List<PrefetchTemplate> templates = PrefetchTemplate.of(knowledge.dataRequirements(narrowed));
			services.add(new CdsServiceDefinition(
					"lactation-" + hook.id(),
					hook,
					plan.getTitle() + " (" + hook.id() + ")",
					description(hook, rules, templates),
					templates,
					plan.getUrl() + "|" + plan.getVersion(),
					Set.copyOf(rules),
					narrowed,
					knowledge.definitionsByLibrary(narrowed),
					actionsOf(narrowed),
					!"patient-in-context".equals(subjects(plan, hook)),
					SystemCards.of(plan)));
		}
		return services;
	}

	/**
	 * Whom a hook's rules are applied for, as the PlanDefinition says (extension {@value #HOOK_SUBJECTS}): {@code dyad}
	 * (the default: every member, clinical-rules.md 0.2) or {@code patient-in-context} (the order hooks: the orders
	 * are the patient in context's).
	 */
	private static String subjects(PlanDefinition plan, Hook hook) {
		for (var extension : plan.getExtensionsByUrl(HOOK_SUBJECTS)) {
			if (hook.id().equals(SystemCards.value(extension, "hook"))) {
				String subjects = SystemCards.value(extension, "subjects");
				if (!"dyad".equals(subjects) && !"patient-in-context".equals(subjects)) {
					throw new KnowledgeException("PlanDefinition/" + plan.getIdElement().getIdPart() + ": " + HOOK_SUBJECTS
							+ " for " + hook.id() + " has subjects '" + subjects + "'; it is 'dyad' or 'patient-in-context'");
				}
				return subjects;
			}
		}
		return "dyad";
	}

	public Optional<CdsServiceDefinition> find(String id, KnowledgeSnapshot knowledge) {
		return services(knowledge).stream().filter(service -> service.id().equals(id)).findFirst();
	}

	/** Every action of the plan (rules by their code, suggestions by their id), in document order: built once. */
	private static Map<String, PlanDefinitionActionComponent> actionsOf(PlanDefinition plan) {
		Map<String, PlanDefinitionActionComponent> actions = new LinkedHashMap<>();
		collect(plan.getAction(), actions);
		return Collections.unmodifiableMap(actions);
	}

	private static void collect(List<PlanDefinitionActionComponent> actions, Map<String, PlanDefinitionActionComponent> into) {
		for (PlanDefinitionActionComponent action : actions) {
			String key = action.hasCode() ? action.getCodeFirstRep().getCodingFirstRep().getCode() : action.getId();
			into.put(key, action);
			if (action.hasId()) {
				into.putIfAbsent(action.getId(), action);
			}
			collect(action.getAction(), into);
		}
	}

	private static String description(Hook hook, Set<String> rules, List<PrefetchTemplate> templates) {
		String scope = hook.isOrderHook()
				? "Checks the draft orders of a postpartum mother against her lactation and breast findings"
				: "Evaluates a postpartum mother and her infant together (either one may be the patient in context)";
		return scope + " and returns cards with evidence and suggestions. Rules: " + String.join(", ", rules)
				+ ". Decision support only. " + dataRead(templates);
	}

	/**
	 * What the service reads and what an EHR's token must allow: the dyad partner is never in prefetch, so an EHR that
	 * wants complete results grants a token that reads both members (partial data still gives the patient's own cards).
	 */
	private static String dataRead(List<PrefetchTemplate> templates) {
		Set<String> types = new LinkedHashSet<>();
		templates.forEach(template -> types.add(template.query().split("[/?]")[0]));
		types.add("RelatedPerson");
		List<String> scopes = types.stream().map(type -> "user/" + type + ".rs").toList();
		return "Reads " + String.join(", ", types) + " of the patient in context (prefetch, else fhirServer) and of the "
				+ "dyad partner (mother or infant, linked by a RelatedPerson with relationship MTH: always read from "
				+ "fhirServer, or this server's store when no fhirServer is sent). For complete results fhirAuthorization "
				+ "must read both members: " + String.join(" ", scopes) + ", or a backend (system/) token; a token "
				+ "limited to one patient gives that patient's cards and an info card naming what could not be read.";
	}
}
