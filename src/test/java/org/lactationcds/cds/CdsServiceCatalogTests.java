package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lactationcds.knowledge.CompiledKnowledge;
import org.lactationcds.knowledge.KnowledgeException;
import org.lactationcds.knowledge.KnowledgeSnapshot;

/** What the PlanDefinition says about its services beyond the rules: whom each hook evaluates, the service's own cards. */
class CdsServiceCatalogTests {

	static KnowledgeSnapshot knowledge;
	static PlanDefinition redFlags;

	@BeforeAll
	static void compile() {
		knowledge = CompiledKnowledge.snapshot("classpath:fhir-resources");
		redFlags = knowledge.planDefinition("lactation-red-flags").orElseThrow();
	}

	@Test
	void orderHooksEvaluateThePatientInContextAndTheOthersTheDyadAsTheKnowledgeSays() {
		CdsServiceCatalog catalog = new CdsServiceCatalog("lactation-red-flags");

		assertThat(catalog.services(knowledge)).extracting(CdsServiceDefinition::id, CdsServiceDefinition::dyadSubjects)
				.containsExactlyInAnyOrder(
						org.assertj.core.groups.Tuple.tuple("lactation-patient-view", true),
						org.assertj.core.groups.Tuple.tuple("lactation-order-select", false),
						org.assertj.core.groups.Tuple.tuple("lactation-order-sign", false),
						org.assertj.core.groups.Tuple.tuple("lactation-encounter-start", true),
						org.assertj.core.groups.Tuple.tuple("lactation-encounter-discharge", true));
	}

	@Test
	void aHookSubjectsValueOtherThanDyadOrPatientInContextIsRefused() {
		PlanDefinition plan = redFlags.copy();
		plan.getExtensionsByUrl(CdsServiceCatalog.HOOK_SUBJECTS).get(0).getExtensionsByUrl("subjects").get(0)
				.setValue(new CodeType("everyone"));

		assertThatThrownBy(() -> catalogWith(plan))
				.isInstanceOf(KnowledgeException.class)
				.hasMessageContaining("has subjects 'everyone'; it is 'dyad' or 'patient-in-context'");
	}

	@Test
	void theServicesOwnCardsAreWrittenInTheKnowledgeWithTheirValuesFilledIn() {
		SystemCards cards = SystemCards.of(redFlags);

		assertThat(cards.evaluationFailed().summary(Map.of("rule", "RF-MASTITIS")))
				.isEqualTo("Rule RF-MASTITIS could not be evaluated: check this patient's data by hand");
		assertThat(cards.evaluationFailed().detail(Map.of("rule", "RF-MASTITIS", "ruleDisplay", "Mastitis",
						"role", "mother", "subject", "Patient/m1", "hookInstance", "h-1")))
				.startsWith("**Patient:** the mother (Patient/m1).")
				.contains("The rule *Mastitis* failed", "hookInstance h-1.")
				.endsWith("*Decision support only — verify clinically.*");
		assertThat(cards.dataUnavailable().detail(Map.of("items", "- 'obs' of Patient/i1: 403")))
				.contains("reassuring.\n\n- 'obs' of Patient/i1: 403\n\nFor complete results");

		PlanDefinition edited = redFlags.copy();
		Extension failed = edited.getExtensionsByUrl(SystemCards.URL).stream()
				.filter(card -> "evaluation-failed".equals(SystemCards.value(card, "kind"))).findFirst().orElseThrow();
		failed.getExtensionsByUrl("summary").get(0).setValue(new StringType("{rule}: not evaluated"));
		assertThat(SystemCards.of(edited).evaluationFailed().summary(Map.of("rule", "RF-MASTITIS")))
				.isEqualTo("RF-MASTITIS: not evaluated");
	}

	@Test
	void aPlanWithoutTheServicesCardTextsIsRefused() {
		PlanDefinition plan = redFlags.copy();
		plan.getExtension().removeIf(extension -> extension.getUrl().equals(SystemCards.URL)
				&& "data-unavailable".equals(SystemCards.value(extension, "kind")));

		assertThatThrownBy(() -> SystemCards.of(plan))
				.isInstanceOf(KnowledgeException.class)
				.hasMessageContaining("of kind 'data-unavailable' with a summary and a detail");
	}

	/** Builds the services of {@code plan} put in place of the packaged red-flag PlanDefinition. */
	private static int catalogWith(PlanDefinition plan) {
		KnowledgeSnapshot edited = CompiledKnowledge.snapshotWith("classpath:fhir-resources", plan);
		return new CdsServiceCatalog("lactation-red-flags").services(edited).size();
	}
}
