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
import org.lactationcds.cds.prefetch.Dyad;
import org.lactationcds.cds.prefetch.DyadAssembler;
import org.lactationcds.cds.prefetch.FhirDataSource;
import org.lactationcds.evaluation.EvaluationRequest;
import org.lactationcds.evaluation.EvaluationResult;
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
 * cards are still returned.
 */
public final class CdsServiceInvoker {

	static final String RULE_ERRORS = "lactation.cds.rule.errors";
	private static final Logger log = LoggerFactory.getLogger(CdsServiceInvoker.class);
	private static final Pattern RULE_IN_EXPRESSION = Pattern.compile("([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+) ");

	private final Supplier<KnowledgeSnapshot> knowledge;
	private final DyadAssembler dyadAssembler;
	private final CardMapper cardMapper;
	private final Clock clock;
	private final MeterRegistry meters;

	public CdsServiceInvoker(
			Supplier<KnowledgeSnapshot> knowledge, DyadAssembler dyadAssembler, CardMapper cardMapper, Clock clock, MeterRegistry meters) {
		this.knowledge = knowledge;
		this.dyadAssembler = dyadAssembler;
		this.cardMapper = cardMapper;
		this.clock = clock;
		this.meters = meters;
	}

	public List<Card> invoke(CdsServiceDefinition service, CdsRequest request, FhirDataSource source) {
		Instant now = clock.instant();
		KnowledgeSnapshot snapshot = knowledge.get();
		PlanDefinitionEvaluator evaluator =
				new PlanDefinitionEvaluator(snapshot.content(), snapshot.settings(), service.definitions());
		Dyad dyad = dyadAssembler.assemble(request, service.prefetchTemplates(), source);
		Bundle data = dyad.data().toBundle();
		Map<String, PlanDefinitionActionComponent> definitions = service.actions();

		Map<String, Card> byRule = new LinkedHashMap<>();
		for (Map.Entry<String, Dyad.Role> member : dyad.members().entrySet()) {
			if (request.hook().isOrderHook() && !member.getKey().equals(dyad.patientId())) {
				continue;
			}
			String subject = "Patient/" + member.getKey();
			EvaluationResult result = evaluator.evaluate(new EvaluationRequest(
					service.planDefinition(), subject, data, now, request.hook().id(), request.context().selections(),
					clock.getZone()),
					service.plan());
			CardMapper.Context context = new CardMapper.Context(
					subject,
					member.getValue().label(),
					result.bundle(),
					dyad.data(),
					id -> Optional.ofNullable(definitions.get(id)),
					canonical -> carePlan(evaluator, canonical, subject, data, now, dyad));
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
		return cards;
	}

	private static void keepMostSevere(Map<String, Card> byRule, String subject, Card card) {
		byRule.merge(card.rule() + " " + subject, card, (kept, other) -> other.severity() > kept.severity() ? other : kept);
	}

	/** The CarePlan a suggestion offers: the PlanDefinition applied for the mother, the infant as supporting info. */
	private static Optional<Resource> carePlan(
			PlanDefinitionEvaluator evaluator, String canonical, String subject, Bundle data, Instant now, Dyad dyad) {
		CarePlan plan = evaluator.applyAsCarePlan(new EvaluationRequest(canonical, subject, data, now));
		plan.setStatus(CarePlan.CarePlanStatus.DRAFT);
		dyad.members().forEach((id, role) -> {
			if (role == Dyad.Role.INFANT && !subject.equals("Patient/" + id)) {
				plan.addSupportingInfo(new Reference("Patient/" + id));
			}
		});
		return Optional.of(plan);
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
					cards.add(evaluationFailedCard(definition, subject, role, request.hookInstance()));
				}
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

	private static Card evaluationFailedCard(
			PlanDefinitionActionComponent definition, String subject, Dyad.Role role, String hookInstance) {
		var rule = definition.getCodeFirstRep().getCodingFirstRep();
		String summary = "Rule " + rule.getCode() + " could not be evaluated: check this patient's data by hand";
		String detail = "**Patient:** the " + role.label() + " (" + subject + ").\n\n"
				+ "The rule *" + rule.getDisplay() + "* failed while evaluating this patient's data, so its result is "
				+ "unknown: the absence of its card does not mean the data is reassuring. The failure is logged with "
				+ "hookInstance " + hookInstance + ".\n\n*Decision support only — verify clinically.*";
		return new Card(
				CardUuids.card(rule.getCode(), subject, "evaluation failed").toString(),
				summary,
				detail,
				"warning",
				new Card.Source("Lactation CDS · " + rule.getCode(), null,
						new Card.Coding(rule.getSystem(), rule.getCode(), rule.getDisplay())),
				List.of(),
				null,
				List.of(),
				List.of());
	}
}
