package org.lactationcds.evaluation;

import ca.uhn.fhir.repository.IRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.ParameterDefinition;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.RequestGroup;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.opencds.cqf.fhir.cr.CrSettings;
import org.opencds.cqf.fhir.cr.plandefinition.PlanDefinitionProcessor;
import org.hl7.fhir.instance.model.api.IIdType;
import org.opencds.cqf.fhir.utility.monad.Either3;
import org.opencds.cqf.fhir.utility.monad.Eithers;
import org.opencds.cqf.fhir.utility.repository.Repositories;

/**
 * Applies a PlanDefinition with the CQF engine. Content (PlanDefinitions, Libraries, ValueSets, ActivityDefinitions)
 * comes from an in-memory repository; data comes only from the request ({@code useServerData = false}).
 *
 * <p>A {@link PlanDefinitionProcessor} keeps per-call state, so a new one is made for every evaluation; the
 * compiled CQL is shared through the {@link CrSettings}' evaluation caches.
 */
public final class PlanDefinitionEvaluator {

	static final String EVALUATION_TIME = "Evaluation Time";
	static final String HOOK = "Hook";
	static final String SELECTIONS = "Selections";
	static final String CLINICAL_TIME_ZONE_OFFSET = "Clinical Time Zone Offset";
	/** CPG's parameter metadata: tells the engine that "Selections" is a list even with one value. */
	private static final String CPG_PARAMETER_DEFINITION =
			"http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-parameterDefinition";

	private final IRepository content;
	private final CrSettings settings;
	private final Map<String, Set<String>> definitionsByLibrary;
	private List<Resource> conceptMaps;
	private List<PlanDefinition> plans;

	public PlanDefinitionEvaluator(IRepository content, CrSettings settings) {
		this(content, settings, Map.of());
	}

	/**
	 * @param definitionsByLibrary for each library (unversioned url), the CQL definitions the PlanDefinitions name:
	 *     answered from one CQL engine per library and subject (see {@link SubjectLibraryEngine})
	 */
	public PlanDefinitionEvaluator(IRepository content, CrSettings settings, Map<String, Set<String>> definitionsByLibrary) {
		// Content only: with useServerData = false the engine reads data from the request's Bundle alone.
		this.content = Repositories.proxy(content, false, (IRepository) null, null, null);
		this.settings = settings;
		this.definitionsByLibrary = definitionsByLibrary;
	}

	/**
	 * Applies for the CDS path: the RequestGroup of the applicable actions and the proposed resources. (The one call
	 * of the engine's applyR5: subject, evaluation time and data only, no server data; one CQL engine per library and subject.)
	 */
	public EvaluationResult evaluate(EvaluationRequest request) {
		return evaluate(request, null);
	}

	/**
	 * As {@link #evaluate(EvaluationRequest)}, applying {@code plan} itself when given: the request's PlanDefinition
	 * narrowed to some of its actions (a CDS service applies only the rules of its hook).
	 */
	public EvaluationResult evaluate(EvaluationRequest request, PlanDefinition plan) {
		Either3<CanonicalType, IIdType, PlanDefinition> which =
				plan == null ? Eithers.forLeft3(new CanonicalType(request.planDefinition())) : Eithers.forRight3(plan);
		PlanDefinitionProcessor processor = new PlanDefinitionProcessor(content, settings);
		Parameters output = (Parameters) processor.applyR5(
				which,
				List.of(request.subject()),
				null, null, null, null, null, null, null, null,
				evaluationParameters(request),
				withKnowledgeMaps(request.data()),
				null,
				new SubjectLibraryEngine(content, settings.getEvaluationSettings(), definitionsByLibrary,
						conditionsByLibrary(plan != null ? plan : planDefinition(request.planDefinition()))));
		Bundle bundle = (Bundle) output.getParameterFirstRep().getResource();
		RequestGroup requestGroup = (RequestGroup) bundle.getEntryFirstRep().getResource();
		return new EvaluationResult(requestGroup, bundle, issuesIn(bundle));
	}

	/** The PlanDefinition of the content with this canonical (url|version, or url), or null. */
	private PlanDefinition planDefinition(String canonical) {
		if (plans == null) {
			plans = new ArrayList<>();
			Bundle found = content.search(Bundle.class, PlanDefinition.class, Map.<String, List<ca.uhn.fhir.model.api.IQueryParameterType>>of());
			found.getEntry().forEach(entry -> plans.add((PlanDefinition) entry.getResource()));
		}
		return plans.stream()
				.filter(candidate -> canonical.equals(candidate.getUrl() + "|" + candidate.getVersion()) || canonical.equals(candidate.getUrl()))
				.findFirst()
				.orElse(null);
	}

	/**
	 * The applicability conditions of {@code plan}'s top-level actions, by its one library: the engine asks for all of
	 * them on every evaluation (a suggestion's condition only when its rule applies, so those are not among them).
	 */
	static Map<String, Set<String>> conditionsByLibrary(PlanDefinition plan) {
		if (plan == null || plan.getLibrary().size() != 1) {
			return Map.of();
		}
		Set<String> conditions = new java.util.HashSet<>();
		plan.getAction().forEach(action -> action.getCondition().forEach(condition -> {
			if (condition.hasExpression() && "text/cql-identifier".equals(condition.getExpression().getLanguage())) {
				conditions.add(condition.getExpression().getExpression());
			}
		}));
		return Map.of(plan.getLibrary().get(0).getValue().split("\\|")[0], Set.copyOf(conditions));
	}

	/**
	 * The request's data plus the knowledge's ConceptMaps (the product-to-ingredient map the medication rules read as
	 * data, so that a site's replacement map, published as knowledge, takes effect without a code change).
	 */
	private Bundle withKnowledgeMaps(Bundle data) {
		if (conceptMaps == null) {
			conceptMaps = new ArrayList<>();
			Bundle found = content.search(Bundle.class, ConceptMap.class, Map.<String, List<ca.uhn.fhir.model.api.IQueryParameterType>>of());
			found.getEntry().forEach(entry -> conceptMaps.add(entry.getResource()));
		}
		if (conceptMaps.isEmpty()) {
			return data;
		}
		Bundle combined = new Bundle().setType(Bundle.BundleType.COLLECTION);
		combined.getEntry().addAll(data.getEntry());
		conceptMaps.forEach(map -> combined.addEntry().setResource(map));
		return combined;
	}

	/**
	 * Applies as FHIR R4 {@code PlanDefinition/$apply} answers: a CarePlan whose activities reference the proposed
	 * requests (contained).
	 */
	public CarePlan applyAsCarePlan(EvaluationRequest request) {
		PlanDefinitionProcessor processor = new PlanDefinitionProcessor(content, settings);
		return activityPerStep((CarePlan) processor.apply(
				Eithers.forLeft3(new CanonicalType(request.planDefinition())),
				request.subject(),
				null, null, null, null, null, null, null, null,
				evaluationParameters(request),
				false,
				withKnowledgeMaps(request.data()),
				null,
				(IRepository) null,
				(IRepository) null,
				(IRepository) null));
	}

	/**
	 * The engine answers one CarePlan activity that references a contained RequestGroup, whose actions reference the
	 * contained requests. A clinician reads a CarePlan by its activities, so every action becomes an activity: one
	 * with a request references it, one without (a fired rule: its summary and evidence) carries them in its detail.
	 */
	private static CarePlan activityPerStep(CarePlan plan) {
		RequestGroup group = plan.getContained().stream()
				.filter(RequestGroup.class::isInstance)
				.map(RequestGroup.class::cast)
				.findFirst()
				.orElse(null);
		if (group == null) {
			return plan;
		}
		plan.getActivity().clear();
		addActivities(plan, group.getAction());
		plan.getContained().remove(group);
		return plan;
	}

	private static void addActivities(CarePlan plan, List<RequestGroup.RequestGroupActionComponent> actions) {
		for (RequestGroup.RequestGroupActionComponent action : actions) {
			if (action == null) {
				continue;
			}
			if (action.hasResource()) {
				plan.addActivity().setReference(action.getResource());
			} else {
				CarePlan.CarePlanActivityDetailComponent detail = plan.addActivity().getDetail()
						.setStatus(CarePlan.CarePlanActivityStatus.NOTSTARTED)
						.setDescription(action.getTitle() + (action.hasDescription() ? "\n\n" + action.getDescription() : ""));
				action.getCode().forEach(code -> detail.addReasonCode(code));
			}
			addActivities(plan, action.getAction());
		}
	}

	/**
	 * The engine's $apply gives CQL no evaluation time of its own (CQL Now() would be the moment each expression
	 * runs), so the request time is passed as the parameter "Evaluation Time" that the rule libraries declare.
	 */
	private static Parameters evaluationParameters(EvaluationRequest request) {
		Parameters parameters = new Parameters();
		parameters.addParameter()
				.setName(EVALUATION_TIME)
				.setValue(new DateTimeType(request.evaluationTime().toString()));
		int offsetSeconds = request.clinicalZone().getRules().getOffset(request.evaluationTime()).getTotalSeconds();
		parameters.addParameter()
				.setName(CLINICAL_TIME_ZONE_OFFSET)
				.setValue(new DecimalType(java.math.BigDecimal.valueOf(offsetSeconds).divide(java.math.BigDecimal.valueOf(3600))));
		if (request.hook() != null) {
			parameters.addParameter().setName(HOOK).setValue(new StringType(request.hook()));
		}
		if (request.selections() != null) {
			for (String selection : request.selections()) {
				Parameters.ParametersParameterComponent parameter =
						parameters.addParameter().setName(SELECTIONS).setValue(new StringType(selection));
				parameter.addExtension(CPG_PARAMETER_DEFINITION, new ParameterDefinition()
						.setName(SELECTIONS)
						.setUse(ParameterDefinition.ParameterUse.IN)
						.setMin(0)
						.setMax("*")
						.setType("string"));
			}
		}
		return parameters;
	}

	private static List<OperationOutcome> issuesIn(Bundle bundle) {
		List<OperationOutcome> issues = new ArrayList<>();
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			Resource resource = entry.getResource();
			if (resource instanceof OperationOutcome outcome) {
				issues.add(outcome);
			}
			if (resource instanceof RequestGroup group) {
				group.getContained().stream()
						.filter(OperationOutcome.class::isInstance)
						.map(OperationOutcome.class::cast)
						.forEach(issues::add);
			}
		}
		return issues;
	}
}
