package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.lactationcds.cds.card.Card;
import org.lactationcds.cds.card.CardMapper;
import org.lactationcds.evaluation.EvaluationBudget;
import org.lactationcds.dyad.DyadAssembler;
import org.lactationcds.dyad.FhirDataSource;
import org.lactationcds.knowledge.CompiledKnowledge;
import org.lactationcds.knowledge.KnowledgeSnapshot;

/** A rule whose CQL fails at run time is reported, never silently "no card", and the other rules still answer. */
class CdsServiceInvokerTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();

	@Test
	void ruleFailingAtRunTimeGivesAWarningCardBesideTheOtherRulesAndIsCounted() {
		KnowledgeSnapshot knowledge = CompiledKnowledge.snapshot("classpath:org/lactationcds/cds/failing-rule");
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		ObjectMapper json = new ObjectMapper();
		CdsRequestParser parser = new CdsRequestParser(json, FHIR);
		CdsServiceInvoker invoker = new CdsServiceInvoker(
				() -> knowledge,
				new PrefetchResolver(parser),
				new DyadAssembler(),
				new CardMapper(FHIR, json),
				Clock.fixed(Instant.parse("2026-03-05T10:00:00Z"), ZoneOffset.UTC),
				meters,
				new EvaluationBudget(Duration.ofSeconds(60)));
		CdsServiceDefinition service = new CdsServiceCatalog("failing-rules").find("lactation-patient-view", knowledge).orElseThrow();
		CdsRequest request = parser.parse(CdsCall.of("patient-view", "p1").body().toString(), Hook.PATIENT_VIEW);

		List<Card> cards = invoker.invoke(service, request, new OnePatient("p1"));

		assertThat(cards).extracting(Card::rule, Card::indicator)
				.containsExactlyInAnyOrder(
						org.assertj.core.groups.Tuple.tuple("GOOD-RULE", "warning"),
						org.assertj.core.groups.Tuple.tuple("BAD-RULE", "warning"));
		Card failed = cards.stream().filter(card -> card.rule().equals("BAD-RULE")).findFirst().orElseThrow();
		assertThat(failed.summary()).contains("could not be evaluated");
		assertThat(failed.detail()).contains(request.hookInstance()).endsWith("*Decision support only — verify clinically.*");
		assertThat(meters.counter(CdsServiceInvoker.RULE_ERRORS, "rule", "BAD-RULE", "hook", "patient-view").count())
				.isEqualTo(1.0);
	}

	@Test
	void ruleRunningPastTheTimeBudgetIsReportedAsNotEvaluatedAndTheCallAnswersAtTheBudget() {
		KnowledgeSnapshot knowledge = CompiledKnowledge.snapshot("classpath:org/lactationcds/cds/slow-rule");
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		ObjectMapper json = new ObjectMapper();
		CdsRequestParser parser = new CdsRequestParser(json, FHIR);
		Duration budget = Duration.ofMillis(500);
		CdsServiceInvoker invoker = new CdsServiceInvoker(
				() -> knowledge,
				new PrefetchResolver(parser),
				new DyadAssembler(),
				new CardMapper(FHIR, json),
				Clock.fixed(Instant.parse("2026-03-05T10:00:00Z"), ZoneOffset.UTC),
				meters,
				new EvaluationBudget(budget));
		CdsServiceDefinition service = new CdsServiceCatalog("slow-rules").find("lactation-patient-view", knowledge).orElseThrow();
		CdsRequest request = parser.parse(CdsCall.of("patient-view", "p1").body().toString(), Hook.PATIENT_VIEW);

		long start = System.nanoTime();
		List<Card> cards = invoker.invoke(service, request, new OnePatient("p1"));
		Duration took = Duration.ofNanos(System.nanoTime() - start);

		// Which rule was slow is unknown to the engine: every rule of the service is reported as not evaluated.
		assertThat(cards).extracting(Card::rule).containsExactlyInAnyOrder("GOOD-RULE", "SLOW-RULE");
		assertThat(cards).allSatisfy(card -> assertThat(card.summary()).contains("could not be evaluated"));
		assertThat(meters.counter(CdsServiceInvoker.RULE_ERRORS, "rule", "SLOW-RULE", "hook", "patient-view").count())
				.isEqualTo(1.0);
		// Not a timing assertion of speed: the call must not wait for the rule (seconds of work) to finish.
		assertThat(took).as("answered at the budget, not after the cross product").isLessThan(budget.plusSeconds(3));
	}

	/** A store holding one Patient and nothing else. */
	record OnePatient(String id) implements FhirDataSource {

		@Override
		public List<Resource> fetch(String query) {
			return query.equals("Patient/" + id) ? List.of(new Patient().setId(id)) : List.of();
		}

		@Override
		public Optional<List<Resource>> remainingPages(Bundle firstPage) {
			return Optional.empty();
		}

		@Override
		public String describe() {
			return "one patient";
		}
	}
}
