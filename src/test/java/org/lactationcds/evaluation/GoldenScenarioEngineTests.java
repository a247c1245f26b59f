package org.lactationcds.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.hl7.fhir.r4.model.RequestGroup.RequestGroupActionComponent;
import org.hl7.fhir.r4.model.TriggerDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lactationcds.knowledge.CompiledKnowledge;
import org.lactationcds.knowledge.KnowledgePackage;
import org.lactationcds.knowledge.KnowledgeSnapshot;

/**
 * The scenarios of fhir-resources/input/tests (the golden scenarios of clinical-rules.md section 3 and those beyond
 * them), applied directly to the PlanDefinitions through the CQF
 * engine: each gives exactly the expected rule ids and indicators. As in section 0.2, every dyad member is
 * evaluated, and only the actions triggered by the scenario's hook count.
 */
class GoldenScenarioEngineTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static final String RED_FLAGS = "http://lactation-cds.org/fhir/PlanDefinition/lactation-red-flags|1.0.0";
	static final String DISCLAIMER = "*Decision support only — verify clinically.*";

	static PlanDefinitionEvaluator evaluator;
	static Map<String, Set<String>> hooksByRule;

	@BeforeAll
	static void loadKnowledge() {
		KnowledgeSnapshot snapshot = CompiledKnowledge.snapshot("classpath:fhir-resources");
		KnowledgePackage knowledge = snapshot.knowledge();
		// As the CDS service evaluates: the definitions the PlanDefinitions name, from one CQL engine per library and subject.
		evaluator = new PlanDefinitionEvaluator(snapshot.content(), snapshot.settings(), snapshot.definitionsByLibrary());
		PlanDefinition redFlags = knowledge.resourcesOfType(PlanDefinition.class).stream()
				.filter(plan -> RED_FLAGS.startsWith(plan.getUrl() + "|"))
				.findFirst()
				.orElseThrow();
		hooksByRule = redFlags.getAction().stream().collect(Collectors.toMap(
				GoldenScenarioEngineTests::ruleId,
				action -> action.getTrigger().stream().map(TriggerDefinition::getName).collect(Collectors.toSet())));
	}

	static List<GoldenScenario> scenarios() {
		return GoldenScenario.all();
	}

	static List<GoldenScenario> extraScenarios() {
		return GoldenScenario.extra();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void applyGivesExactlyTheExpectedCards(GoldenScenario scenario) {
		assertCards(scenario);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("extraScenarios")
	void applyGivesExactlyTheExpectedCardsBeyondTheGoldenSet(GoldenScenario scenario) {
		assertCards(scenario);
	}

	private static void assertCards(GoldenScenario scenario) {
		DyadFixture dyad = DyadFixture.forScenario(scenario);
		Set<String> cards = new TreeSet<>();

		for (String subject : List.of(dyad.infantId(), dyad.motherId())) {
			// order-select: every draft order is selected except those the fixture marks unselected (null: all).
			List<String> selections = scenario.hook().equals("order-select") && !dyad.unselected().isEmpty()
					? dyad.bundle().getEntry().stream().map(entry -> entry.getResource())
							.map(resource -> resource.fhirType() + "/" + resource.getIdElement().getIdPart())
							.filter(reference -> !dyad.unselected().contains(reference))
							.toList()
					: null;
			EvaluationResult result = evaluator.evaluate(new EvaluationRequest(RED_FLAGS, subject, dyad.bundle(),
					DyadFixture.day(scenario.evalAtDay()), scenario.hook(), selections, java.time.ZoneOffset.UTC));
			assertThat(result.issues().stream().flatMap(outcome -> outcome.getIssue().stream())
							.map(issue -> issue.getDiagnostics()).toList())
					.as("engine issues for %s", subject)
					.isEmpty();
			for (RequestGroupActionComponent action : result.actions()) {
				String rule = action.getCodeFirstRep().getCodingFirstRep().getCode();
				if (!hooksByRule.getOrDefault(rule, Set.of()).contains(scenario.hook())) {
					continue;
				}
				assertThat(action.getTitle()).as("%s summary", rule).hasSizeLessThan(140).doesNotContain("{").doesNotContain("null");
				assertThat(action.getDescription()).as("%s detail", rule).endsWith(DISCLAIMER).doesNotContain("null");
				cards.add(rule + "/" + indicator(action));
			}
		}

		assertThat(cards).isEqualTo(scenario.expected());
	}

	@org.junit.jupiter.api.Test
	void everyScenarioDirectoryWhenReadIsRunAndTheGoldenSetIsComplete() {
		// clinical-rules.md section 3 lists 82 golden sub-cases (GS-01a ... GS-25b); each is one directory.
		assertThat(scenarios()).hasSize(82).allMatch(scenario -> scenario.id().matches("GS-\\d{2}[a-z]?"));
		// Every directory under input/tests is a scenario one of the two parameterized tests above runs.
		assertThat(java.util.stream.Stream.concat(scenarios().stream(), extraScenarios().stream()).map(GoldenScenario::id))
				.containsExactlyInAnyOrderElementsOf(GoldenScenario.directories());
	}

	private static String indicator(RequestGroupActionComponent action) {
		return switch (action.getPriority()) {
			case STAT -> "critical";
			case URGENT -> "warning";
			case ROUTINE -> "info";
			default -> "unexpected priority " + action.getPriority();
		};
	}

	private static String ruleId(PlanDefinitionActionComponent action) {
		return action.getCodeFirstRep().getCodingFirstRep().getCode();
	}
}
