package org.lactationcds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.ActivityDefinition;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.TriggerDefinition;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The packaged knowledge is standard FHIR R4, complete against the rule catalogue, and versioned. */
class KnowledgePackageTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static final String RULES_SYSTEM = "http://lactation-cds.org/fhir/CodeSystem/lactation-cds-rules";

	static KnowledgePackage knowledge;

	@BeforeAll
	static void read() {
		knowledge = new KnowledgePackageReader(FHIR).read("classpath:fhir-resources");
	}

	@Test
	void readWhenPackagedAttachesEachCqlSourceToItsLibrary() {
		Library common = knowledge.cqlLibraries().stream()
				.filter(library -> library.getName().equals("LactationCommon"))
				.findFirst()
				.orElseThrow();

		assertThat(common.getContent()).singleElement().satisfies(content -> {
			assertThat(content.getContentType()).isEqualTo("text/cql");
			assertThat(new String(content.getData(), StandardCharsets.UTF_8))
					.startsWith("/*")
					.contains("library LactationCommon version '1.0.0'");
		});
	}

	@Test
	void readWhenFolderHoldsTestScenariosLeavesThemOut() {
		// The source folder holds input/tests (scenario.json files, not FHIR); the jar leaves it out.
		assertThat(java.nio.file.Files.isDirectory(java.nio.file.Path.of("fhir-resources/input/tests"))).isTrue();
		KnowledgePackage fromFolder = new KnowledgePackageReader(FHIR).read("file:fhir-resources");

		assertThat(fromFolder.resources()).extracting(Resource::getId)
				.containsExactlyElementsOf(knowledge.resources().stream().map(Resource::getId).toList());
	}

	@Test
	void everyResourceWhenValidatedOfflineAgainstR4HasNoErrors() {
		FhirValidator validator = FHIR.newValidator().registerValidatorModule(new FhirInstanceValidator(offlineSupport()));

		for (Resource resource : knowledge.resources()) {
			List<SingleValidationMessage> errors = validator.validateWithResult(resource).getMessages().stream()
					.filter(message -> message.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
					.filter(message -> !isCqlIdentifierLanguage(message))
					.toList();
			assertThat(errors)
					.as("%s/%s", resource.fhirType(), resource.getIdElement().getIdPart())
					.isEmpty();
		}
	}

	/**
	 * R4's expression-language code list predates {@code text/cql-identifier} (a reference to a named CQL definition),
	 * which the CPG implementation guide and R5 added and the CQF engine evaluates; everything else must validate.
	 */
	private static boolean isCqlIdentifierLanguage(SingleValidationMessage message) {
		return message.getLocationString().endsWith(".expression.language")
				&& message.getMessage().contains("expression-language#text/cql-identifier");
	}

	@Test
	void ruleCodeSystemWhenReadListsEachRuleIdOnceWithItsDisplay() {
		CodeSystem rules = rulesCodeSystem();

		// clinical-rules.md section 1 lists 19 rules; amendment 5.6 adds DATA-QUALITY.
		assertThat(rules.getConcept()).extracting(concept -> concept.getCode())
				.doesNotHaveDuplicates()
				.hasSize(20)
				.contains("RF-INFANT-WEIGHT-LOSS", "RF-MASTITIS", "MED-LACTATION-SUPPRESSANT", "RELACT-MONITOR", "DATA-QUALITY")
				.allSatisfy(code -> assertThat(code).matches("[A-Z][A-Z0-9-]+"));
		assertThat(rules.getConcept()).allSatisfy(concept -> assertThat(concept.getDisplay()).isNotBlank());
	}

	@Test
	void everyActivityDefinitionWhenPublishedIsOfferedByAnActionOfAPlanDefinition() {
		List<String> references = new java.util.ArrayList<>();
		knowledge.resourcesOfType(PlanDefinition.class).forEach(plan -> collectDefinitions(plan.getAction(), references));

		assertThat(knowledge.resourcesOfType(ActivityDefinition.class)).isNotEmpty()
				.allSatisfy(activity -> assertThat(references).as("actions offering %s", activity.getUrl())
						.contains(activity.getUrl() + "|" + activity.getVersion()));
	}

	@Test
	void everyCanonicalArtifactWhenPublishedCarriesUrlAndVersion() {
		for (Resource resource : knowledge.resources()) {
			if (resource instanceof MetadataResource artifact) {
				assertThat(artifact.getUrl()).as(resource.getId()).startsWith("http://lactation-cds.org/fhir/");
				assertThat(artifact.getVersion()).as(resource.getId()).matches("\\d+\\.\\d+\\.\\d+");
			}
		}
	}

	@Test
	void everyValueSetWhenExpandedOfflineListsItsComposedCodes() {
		for (ValueSet valueSet : knowledge.resourcesOfType(ValueSet.class)) {
			long composed = valueSet.getCompose().getInclude().stream().mapToLong(include -> include.getConcept().size()).sum();
			assertThat(valueSet.getExpansion().getContains()).as(valueSet.getUrl()).hasSize((int) composed);
		}
	}

	@Test
	void everyRuleOfTheCodeSystemWhenEncodedIsExactlyOneDocumentedTriggeredAction() {
		List<PlanDefinitionActionComponent> actions = knowledge.resourcesOfType(PlanDefinition.class).stream()
				.flatMap(plan -> plan.getAction().stream())
				.filter(action -> RULES_SYSTEM.equals(action.getCodeFirstRep().getCodingFirstRep().getSystem()))
				.toList();

		assertThat(actions).extracting(action -> action.getCodeFirstRep().getCodingFirstRep().getCode())
				.containsExactlyInAnyOrderElementsOf(ruleIds());
		assertThat(actions).allSatisfy(action -> {
			String rule = action.getCodeFirstRep().getCodingFirstRep().getCode();
			assertThat(action.getDocumentation()).as("%s documentation", rule).isNotEmpty();
			assertThat(action.getTrigger()).as("%s triggers", rule)
					.isNotEmpty()
					.allSatisfy(trigger -> assertThat(trigger.getType()).isEqualTo(TriggerDefinition.TriggerType.NAMEDEVENT));
			assertThat(action.getConditionFirstRep().getExpression().getExpression()).isEqualTo(rule + " Applies");
		});
	}

	@Test
	void everyDefinitionWhenReferencedByAnActionIsInThePackageAtThatVersion() {
		Set<String> published = new TreeSet<>();
		for (Resource resource : knowledge.resources()) {
			if (resource instanceof MetadataResource artifact) {
				published.add(artifact.getUrl() + "|" + artifact.getVersion());
			}
		}
		List<String> references = new java.util.ArrayList<>();
		for (PlanDefinition plan : knowledge.resourcesOfType(PlanDefinition.class)) {
			plan.getLibrary().forEach(library -> references.add(library.getValue()));
			collectDefinitions(plan.getAction(), references);
		}

		assertThat(references).isNotEmpty().allSatisfy(reference -> {
			assertThat(reference).as("versioned canonical").contains("|");
			assertThat(published).as(reference).contains(reference);
		});
	}

	private static void collectDefinitions(List<PlanDefinitionActionComponent> actions, List<String> references) {
		for (PlanDefinitionActionComponent action : actions) {
			if (action.hasDefinitionCanonicalType()) {
				references.add(action.getDefinitionCanonicalType().getValue());
			}
			collectDefinitions(action.getAction(), references);
		}
	}

	@Nested
	class BrokenPackages {

		@Test
		void readWhenCqlVersionDiffersFromItsLibraryFailsNamingBothVersions() {
			assertThatThrownBy(() -> new KnowledgePackageReader(FHIR)
							.read("classpath:org/lactationcds/knowledge/version-mismatch"))
					.isInstanceOf(KnowledgeException.class)
					.hasMessageContaining("Drifted")
					.hasMessageContaining("1.2.0")
					.hasMessageContaining("1.1.0");
		}

		@Test
		void readWhenLocationHoldsNoResourcesFailsNamingTheLocation() {
			assertThatThrownBy(() -> new KnowledgePackageReader(FHIR).read("classpath:org/lactationcds/no-such-folder"))
					.isInstanceOf(KnowledgeException.class)
					.hasMessageContaining("no-such-folder");
		}
	}

	/** The rules CodeSystem lactation-cds-rules: the rule ids the knowledge implements. */
	static CodeSystem rulesCodeSystem() {
		return knowledge.resourcesOfType(CodeSystem.class).stream()
				.filter(codeSystem -> RULES_SYSTEM.equals(codeSystem.getUrl()))
				.findFirst()
				.orElseThrow();
	}

	static Set<String> ruleIds() {
		Set<String> rules = new TreeSet<>();
		rulesCodeSystem().getConcept().forEach(concept -> rules.add(concept.getCode()));
		return rules;
	}

	static ValidationSupportChain offlineSupport() {
		PrePopulatedValidationSupport own = new PrePopulatedValidationSupport(FHIR);
		knowledge.resourcesOfType(CodeSystem.class).forEach(own::addCodeSystem);
		knowledge.resourcesOfType(ValueSet.class).forEach(own::addValueSet);
		UnknownCodeSystemWarningValidationSupport unknownSystems = new UnknownCodeSystemWarningValidationSupport(FHIR);
		unknownSystems.setNonExistentCodeSystemSeverity(org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport.IssueSeverity.WARNING);
		return new ValidationSupportChain(
				new DefaultProfileValidationSupport(FHIR),
				own,
				new CommonCodeSystemsTerminologyService(FHIR),
				new InMemoryTerminologyServerValidationSupport(FHIR),
				new SnapshotGeneratingValidationSupport(FHIR),
				unknownSystems);
	}
}
