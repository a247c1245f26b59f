package org.lactationcds.cds;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.ActivityDefinition;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RequestGroup.RequestGroupActionComponent;
import org.hl7.fhir.r4.model.Resource;
import org.lactationcds.cds.card.Card;
import org.lactationcds.cds.card.CardMapper;
import org.lactationcds.cds.card.CardUuids;
import org.lactationcds.dyad.Dyad;
import org.lactationcds.dyad.DyadAssembler;
import org.lactationcds.dyad.FhirDataSource;
import org.lactationcds.evaluation.EvaluationBudget;
import org.lactationcds.evaluation.EvaluationRequest;
import org.lactationcds.evaluation.EvaluationResult;
import org.lactationcds.evaluation.GoalSubjects;
import org.lactationcds.evaluation.PlanDefinitionEvaluator;
import org.lactationcds.knowledge.KnowledgeSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one CDS Hooks call. Steps: gather the dyad's data (prefetch, else the EHR's FHIR server, else the local
 * store; the partner always fetched); apply the PlanDefinition once per dyad member (order hooks: the patient in
 * context only) with the request time as "now" and the request's data only; map the actions the hook triggers to
 * cards; keep one card per rule and patient (the most severe: twins each get their own card, clinical-rules.md 5.4)
 * and order them critical, warning, info.
 *
 * <p>A rule whose CQL fails at run time is not silently "no card": it is logged with the hookInstance, counted in
 * the metric {@value #RULE_ERRORS}, and reported as a card saying the rule could not be evaluated; the other rules'
 * cards are still returned. The evaluations of a call share one time budget ({@link EvaluationBudget}); a subject
 * whose evaluation runs past it gets that card for every rule, and the call answers at the deadline.
 */
public final class CdsServiceInvoker {

	static final String RULE_ERRORS = "lactation.cds.rule.errors";
	/** {@code source.topic} of the card that lists data that could not be read. */
	static final String DATA_UNAVAILABLE = "DATA-UNAVAILABLE";
	private static final String RULES_SYSTEM = "http://lactation-cds.org/fhir/CodeSystem/lactation-cds-rules";
	private static final Logger log = LoggerFactory.getLogger(CdsServiceInvoker.class);
	private static final Pattern RULE_IN_EXPRESSION = Pattern.compile("([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+) ");

	private final Supplier<KnowledgeSnapshot> knowledge;
	private final PrefetchResolver prefetchResolver;
	private final DyadAssembler dyadAssembler;
	private final CardMapper cardMapper;
	private final Clock clock;
	private final MeterRegistry meters;
	private final EvaluationBudget budget;

	public CdsServiceInvoker(
			Supplier<KnowledgeSnapshot> knowledge,
			PrefetchResolver prefetchResolver,
			DyadAssembler dyadAssembler,
			CardMapper cardMapper,
			Clock clock,
			MeterRegistry meters,
			EvaluationBudget budget) {
		this.budget = budget;
		this.knowledge = knowledge;
		this.prefetchResolver = prefetchResolver;
		this.dyadAssembler = dyadAssembler;
		this.cardMapper = cardMapper;
		this.clock = clock;
		this.meters = meters;
	}

	/** The cards of one call, in answer order. */
	public List<Card> invoke(CdsServiceDefinition service, CdsRequest request, FhirDataSource source) {
		return evaluate(service, request, source).cards();
	}

	/**
	 * One call's answer and the dyad it was computed for.
	 *
	 * @param dyad the members found around the patient in context, and their data
	 * @param cards the cards in answer order
	 */
	public record Evaluation(Dyad dyad, List<Card> cards) {}

	/** As {@link #invoke}, with the dyad the cards are about (the clinic app shows that dyad). */
	public Evaluation evaluate(CdsServiceDefinition service, CdsRequest request, FhirDataSource source) {
		Instant now = clock.instant();
		long deadline = budget.deadline();
		KnowledgeSnapshot snapshot = knowledge.get();
		PlanDefinitionEvaluator evaluator =
				new PlanDefinitionEvaluator(snapshot.content(), snapshot.settings(), service.definitions());
		List<Resource> drafts = new ArrayList<>();
		if (request.context().draftOrders() != null) {
			request.context().draftOrders().getEntry().forEach(entry -> drafts.add(entry.getResource()));
		}
		// The dyad assembly $apply uses too: only the patient in context's own data may come from prefetch.
		Dyad dyad = dyadAssembler.assemble(request.context().patientId(), service.dataRequirements(), source,
				unavailable -> prefetchResolver.resolve(request, service.prefetchTemplates(), source, unavailable), drafts);
		Bundle data = dyad.data().toBundle();
		Map<String, PlanDefinitionActionComponent> definitions = service.actions();

		Map<String, Card> byRule = new LinkedHashMap<>();
		for (Map.Entry<String, Dyad.Role> member : dyad.subjects(!service.dyadSubjects()).entrySet()) {
			String subject = member.getKey();
			EvaluationRequest evaluation = new EvaluationRequest(
					service.planDefinition(), subject, data, now, request.hook().id(), request.context().selections(),
					clock.getZone());
			EvaluationResult result;
			try {
				result = budget.run(() -> evaluator.evaluate(evaluation, service.plan()), deadline);
			} catch (EvaluationBudget.OverBudgetException e) {
				reportOverBudget(e, service, request, subject, member.getValue(), definitions)
						.forEach(card -> keepMostSevere(byRule, subject, card));
				continue;
			}
			CardMapper.Context context = new CardMapper.Context(
					subject,
					member.getValue().label(),
					result.bundle(),
					dyad.data(),
					id -> Optional.ofNullable(definitions.get(id)),
					canonical -> carePlan(snapshot, evaluator, canonical, subject, data, now, dyad),
					canonical -> activityDefinition(snapshot, canonical));
			for (RequestGroupActionComponent action : result.actions()) {
				String rule = action.getCodeFirstRep().getCodingFirstRep().getCode();
				if (service.rules().contains(rule)) {
					keepMostSevere(byRule, subject, cardMapper.toCard(action, context));
				}
			}
			reportFailures(result, service, request, subject, member.getValue(), definitions)
					.forEach(card -> keepMostSevere(byRule, subject, card));
		}
		List<Card> cards = new ArrayList<>(byRule.values());
		List<String> ruleOrder = new ArrayList<>(definitions.keySet());
		cards.sort(Comparator.comparingInt(Card::severity).reversed()
				.thenComparingInt(card -> ruleOrder.indexOf(card.rule())));
		if (!dyad.unavailable().isEmpty()) {
			log.warn("{} hookInstance={}: partial data, {} item(s) could not be read: {}",
					service.id(), request.hookInstance(), dyad.unavailable().size(), dyad.unavailable());
			cards.add(dataUnavailableCard(dyad, service.systemCards().dataUnavailable()));
		}
		return new Evaluation(dyad, cards);
	}

	/**
	 * Partial data is not failure, but it is never silent: one info card lists what could not be read and why. Its
	 * wording (the knowledge's) is about data access, not clinical advice.
	 */
	private static Card dataUnavailableCard(Dyad dyad, SystemCards.Text text) {
		Map<String, String> values = Map.of("items", "- " + String.join("\n- ", dyad.unavailable()));
		String subject = "Patient/" + dyad.patientId();
		String summary = text.summary(values);
		return new Card(
				CardUuids.card(DATA_UNAVAILABLE, subject, String.join("\n", dyad.unavailable())).toString(),
				summary,
				text.detail(values),
				"info",
				new Card.Source("Lactation CDS · data access", null,
						new Card.Coding(RULES_SYSTEM, DATA_UNAVAILABLE, summary)),
				List.of(),
				null,
				List.of(),
				List.of());
	}

	private static void keepMostSevere(Map<String, Card> byRule, String subject, Card card) {
		byRule.merge(card.rule() + " " + subject, card, (kept, other) -> other.severity() > kept.severity() ? other : kept);
	}

	/**
	 * The CarePlan a suggestion offers: the PlanDefinition applied for the mother, the infant as supporting info, and
	 * the infant's goals with the infant as subject
	 * ({@link GoalSubjects}).
	 */
	private static Optional<Resource> carePlan(KnowledgeSnapshot snapshot, PlanDefinitionEvaluator evaluator,
			String canonical, String subject, Bundle data, Instant now, Dyad dyad) {
		CarePlan plan = evaluator.applyAsCarePlan(new EvaluationRequest(canonical, subject, data, now));
		plan.setStatus(CarePlan.CarePlanStatus.DRAFT);
		List<String> infants = new ArrayList<>();
		dyad.members().forEach((id, role) -> {
			if (role == Dyad.Role.INFANT && !subject.equals("Patient/" + id)) {
				plan.addSupportingInfo(new Reference("Patient/" + id));
				infants.add("Patient/" + id);
			}
		});
		if (infants.size() == 1) {
			String id = canonical.substring(canonical.lastIndexOf('/') + 1).split("\\|")[0];
			snapshot.planDefinition(id).ifPresent(definition -> GoalSubjects.assignInfantGoals(plan, definition, infants.get(0)));
		}
		return Optional.of(plan);
	}

	private static Optional<ActivityDefinition> activityDefinition(KnowledgeSnapshot snapshot, String canonical) {
		String[] parts = canonical.split("\\|");
		return snapshot.knowledge().resourcesOfType(ActivityDefinition.class).stream()
				.filter(definition -> definition.getUrl().equals(parts[0])
						&& (parts.length == 1 || parts[1].equals(definition.getVersion())))
				.findFirst();
	}

	/** Rules whose expressions failed: logged, counted, and (for rules this hook asks for) reported as a card. */
	private List<Card> reportFailures(
			EvaluationResult result,
			CdsServiceDefinition service,
			CdsRequest request,
			String subject,
			Dyad.Role role,
			Map<String, PlanDefinitionActionComponent> definitions) {
		List<Card> cards = new ArrayList<>();
		for (OperationOutcome outcome : result.issues()) {
			for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
				String diagnostics = issue.getDiagnostics() == null ? "" : issue.getDiagnostics();
				String rule = failingRule(diagnostics, definitions).orElse("unknown");
				log.error("rule evaluation failed: hookInstance={} service={} rule={} subject={}: {}",
						request.hookInstance(), service.id(), rule, subject, diagnostics);
				meters.counter(RULE_ERRORS, "rule", rule, "hook", request.hook().id()).increment();
				PlanDefinitionActionComponent definition = definitions.get(rule);
				if (definition != null && service.rules().contains(rule)) {
					cards.add(evaluationFailedCard(service, definition, subject, role, request.hookInstance()));
				}
			}
		}
		return cards;
	}

	/**
	 * The evaluation of a subject ran out of time: which rule was slow is unknown, so every rule of the service is
	 * reported (logged, counted, carded) as not evaluated for that subject.
	 */
	private List<Card> reportOverBudget(
			EvaluationBudget.OverBudgetException e,
			CdsServiceDefinition service,
			CdsRequest request,
			String subject,
			Dyad.Role role,
			Map<String, PlanDefinitionActionComponent> definitions) {
		log.error("rule evaluation stopped: hookInstance={} service={} subject={}: {}",
				request.hookInstance(), service.id(), subject, e.getMessage());
		List<Card> cards = new ArrayList<>();
		for (String rule : service.rules()) {
			meters.counter(RULE_ERRORS, "rule", rule, "hook", request.hook().id()).increment();
			PlanDefinitionActionComponent definition = definitions.get(rule);
			if (definition != null) {
				cards.add(evaluationFailedCard(service, definition, subject, role, request.hookInstance()));
			}
		}
		return cards;
	}

	private static Optional<String> failingRule(String diagnostics, Map<String, PlanDefinitionActionComponent> definitions) {
		var matcher = RULE_IN_EXPRESSION.matcher(diagnostics);
		while (matcher.find()) {
			if (definitions.containsKey(matcher.group(1))) {
				return Optional.of(matcher.group(1));
			}
		}
		return Optional.empty();
	}

	private static Card evaluationFailedCard(CdsServiceDefinition service,
			PlanDefinitionActionComponent definition, String subject, Dyad.Role role, String hookInstance) {
		var rule = definition.getCodeFirstRep().getCodingFirstRep();
		Map<String, String> values = Map.of("rule", rule.getCode(), "ruleDisplay", rule.getDisplay(),
				"role", role.label(), "subject", subject, "hookInstance", hookInstance);
		SystemCards.Text text = service.systemCards().evaluationFailed();
		return new Card(
				CardUuids.card(rule.getCode(), subject, "evaluation failed").toString(),
				text.summary(values),
				text.detail(values),
				"warning",
				new Card.Source("Lactation CDS · " + rule.getCode(), null,
						new Card.Coding(rule.getSystem(), rule.getCode(), rule.getDisplay())),
				List.of(),
				null,
				List.of(),
				List.of());
	}
}
