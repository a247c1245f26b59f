package org.lactationcds.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.RequestGroup.RequestGroupActionComponent;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.TriggerDefinition;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lactationcds.evaluation.EvaluationRequest;
import org.lactationcds.evaluation.EvaluationResult;
import org.lactationcds.evaluation.PlanDefinitionEvaluator;
import org.lactationcds.knowledge.CompiledKnowledge;
import org.lactationcds.knowledge.KnowledgePackage;
import org.lactationcds.knowledge.KnowledgeSnapshot;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The demo dyads in {@code fhir-resources/examples}: each is a transaction of PUTs of {@code demo-} resources, dated
 * as if "now" were the bundle's timestamp (the anchor), and viewed at the anchor (patient-view, evaluated over mother
 * and infant as in clinical-rules.md section 0.2) it gives exactly the card(s) it was written to show.
 */
class ExampleDyadsTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static final String RED_FLAGS = "http://lactation-cds.org/fhir/PlanDefinition/lactation-red-flags|1.0.0";
	static final String HOOK = "patient-view";
	static final Instant ANCHOR = Instant.parse("2026-01-15T12:00:00Z");
	static final String EXAMPLES = "fhir-resources/examples/";
	static final String FULL_URL_BASE = "http://lactation-cds.org/fhir/";
	static final String DISCLAIMER = "*Decision support only — verify clinically.*";

	static PlanDefinitionEvaluator evaluator;
	static Map<String, Set<String>> hooksByRule;

	/** One example file and the complete patient-view card set (RULE-ID/indicator) it must give at the anchor. */
	record Example(String file, Set<String> expected) {

		Example(String file, String... expected) {
			this(file, new TreeSet<>(Arrays.asList(expected)));
		}

		@Override
		public String toString() {
			return file + " -> " + expected;
		}
	}

	static List<Example> examples() {
		return List.of(
				new Example("dyad-infant-weight-loss.json", "RF-INFANT-WEIGHT-LOSS/critical"),
				new Example("dyad-mastitis.json", "RF-MASTITIS/critical"),
				new Example("dyad-relactation.json", "RELACT-PROTOCOL/info"),
				new Example("dyad-medication.json", "MED-LACTATION-SUPPRESSANT/warning"));
	}

	@BeforeAll
	static void loadKnowledge() {
		KnowledgeSnapshot snapshot = CompiledKnowledge.snapshot("classpath:fhir-resources");
		KnowledgePackage knowledge = snapshot.knowledge();
		evaluator = new PlanDefinitionEvaluator(snapshot.content(), snapshot.settings(), snapshot.definitionsByLibrary());
		PlanDefinition redFlags = knowledge.resourcesOfType(PlanDefinition.class).stream()
				.filter(plan -> RED_FLAGS.startsWith(plan.getUrl() + "|"))
				.findFirst()
				.orElseThrow();
		hooksByRule = redFlags.getAction().stream().collect(Collectors.toMap(
				ExampleDyadsTests::ruleId,
				action -> action.getTrigger().stream().map(TriggerDefinition::getName).collect(Collectors.toSet())));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("examples")
	void whenTheDyadIsViewedAtTheAnchorThenExactlyTheIntendedCardsAppear(Example example) {
		assertThat(patientViewCards(asCollection(read(example.file())), ANCHOR)).isEqualTo(example.expected());
	}

	/**
	 * The loader moves the data by whole days so that the anchor falls on the load day: a user may look at the dyad
	 * at any later hour of that day, so the cards must not depend on the hour. (Before the anchor's hour the latest data
	 * is dated in the future and, by clinical-rules.md 5.3, ignored and reported instead.)
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("examples")
	void whenTheDyadIsViewedAnyTimeOnTheAnchorDayThenTheSameCardsAppear(Example example) {
		Bundle data = asCollection(read(example.file()));
		for (Instant now : List.of(ANCHOR, ANCHOR.plus(Duration.ofHours(12)).minusSeconds(1))) {
			assertThat(patientViewCards(data, now)).as("cards at %s", now).isEqualTo(example.expected());
		}
	}

	/** The patient-view cards for the dyad: every Patient of the data evaluated, as GoldenScenarioEngineTests does. */
	private static Set<String> patientViewCards(Bundle data, Instant now) {
		List<String> subjects = data.getEntry().stream()
				.map(BundleEntryComponent::getResource)
				.filter(Patient.class::isInstance)
				.map(patient -> "Patient/" + patient.getIdElement().getIdPart())
				.toList();
		assertThat(subjects).as("mother and infant").hasSize(2);

		Set<String> cards = new TreeSet<>();
		for (String subject : subjects) {
			EvaluationResult result = evaluator.evaluate(new EvaluationRequest(RED_FLAGS, subject, data, now));
			assertThat(result.issues().stream().flatMap(outcome -> outcome.getIssue().stream())
							.map(issue -> issue.getDiagnostics()).toList())
					.as("engine issues for %s", subject)
					.isEmpty();
			for (RequestGroupActionComponent action : result.actions()) {
				String rule = action.getCodeFirstRep().getCodingFirstRep().getCode();
				if (!hooksByRule.getOrDefault(rule, Set.of()).contains(HOOK)) {
					continue;
				}
				assertThat(action.getTitle()).as("%s summary", rule).hasSizeLessThan(140).doesNotContain("{").doesNotContain("null");
				assertThat(action.getDescription()).as("%s detail", rule).endsWith(DISCLAIMER).doesNotContain("null");
				cards.add(rule + "/" + indicator(action));
			}
		}
		return cards;
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("examples")
	void whenTheExampleIsReadThenItIsAnAnchoredTransactionOfDemoPuts(Example example) {
		Bundle bundle = read(example.file());

		assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
		assertThat(bundle.getTimestamp()).as("anchor").isEqualTo(java.util.Date.from(ANCHOR));
		assertThat(bundle.getEntry()).as("entries").hasSizeBetween(5, 20);
		Set<String> urls = new HashSet<>();
		for (BundleEntryComponent entry : bundle.getEntry()) {
			Resource resource = entry.getResource();
			assertThat(resource).as("entry resource").isNotNull();
			String id = resource.getIdElement().getIdPart();
			String typeAndId = resource.fhirType() + "/" + id;
			assertThat(id).as("id of a %s", resource.fhirType()).startsWith("demo-");
			assertThat(entry.getRequest().getMethod()).as("%s method", typeAndId).isEqualTo(Bundle.HTTPVerb.PUT);
			assertThat(entry.getRequest().getUrl()).as("%s request url", typeAndId).isEqualTo(typeAndId);
			if (entry.hasFullUrl()) {
				assertThat(entry.getFullUrl()).as("%s fullUrl", typeAndId).isEqualTo(FULL_URL_BASE + typeAndId);
			}
			assertThat(urls.add(typeAndId)).as("%s is written once", typeAndId).isTrue();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("examples")
	void whenTheDyadIsReadThenTheMotherIsLinkedToTheInfantAsTheRulesExpect(Example example) {
		Bundle data = asCollection(read(example.file()));
		List<RelatedPerson> mothers = resources(data, RelatedPerson.class).stream()
				.filter(person -> person.getRelationship().stream().anyMatch(concept -> concept.getCoding().stream().anyMatch(
						coding -> "http://terminology.hl7.org/CodeSystem/v3-RoleCode".equals(coding.getSystem())
								&& "MTH".equals(coding.getCode()))))
				.toList();
		assertThat(mothers).as("mother RelatedPerson").hasSize(1);
		RelatedPerson link = mothers.get(0);
		String infant = link.getPatient().getReference();

		List<Patient> patients = resources(data, Patient.class);
		Patient infantPatient = patients.stream().filter(p -> ("Patient/" + p.getIdElement().getIdPart()).equals(infant))
				.findFirst().orElseThrow(() -> new AssertionError("RelatedPerson.patient " + infant + " is not in the bundle"));
		assertThat(infantPatient.getBirthDateElement().getExtensionByUrl("http://hl7.org/fhir/StructureDefinition/patient-birthTime"))
				.as("infant birth time").isNotNull();
		Patient mother = patients.stream().filter(p -> p != infantPatient).findFirst().orElseThrow();
		assertThat(mother.getLink()).as("mother's link to the RelatedPerson").anySatisfy(patientLink -> {
			assertThat(patientLink.getType()).isEqualTo(Patient.LinkType.SEEALSO);
			assertThat(patientLink.getOther().getReference()).isEqualTo("RelatedPerson/" + link.getIdElement().getIdPart());
		});
		for (Patient patient : patients) {
			assertThat(patient.getNameFirstRep().getText()).as("name of %s", patient.getIdElement().getIdPart()).startsWith("Demo ");
			assertThat(patient.hasGender()).as("gender of %s", patient.getIdElement().getIdPart()).isTrue();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("examples")
	void whenReferencesAreFollowedThenEveryTargetIsInTheSameBundle(Example example) {
		Bundle data = asCollection(read(example.file()));
		Set<String> present = data.getEntry().stream()
				.map(entry -> entry.getResource().fhirType() + "/" + entry.getResource().getIdElement().getIdPart())
				.collect(Collectors.toSet());
		List<String> references = new ArrayList<>();
		for (BundleEntryComponent entry : data.getEntry()) {
			FHIR.newTerser().getAllPopulatedChildElementsOfType(entry.getResource(), Reference.class).stream()
					.map(Reference::getReference)
					.filter(reference -> reference != null && !reference.startsWith("#"))
					.forEach(references::add);
		}
		assertThat(references).as("references").isNotEmpty();
		assertThat(present).containsAll(references);
	}

	/** The same structural check the server makes on every write (R4 base specification, no terminology look-ups). */
	@ParameterizedTest(name = "{0}")
	@MethodSource("examples")
	void whenValidatedAsTheServerValidatesWritesThenThereAreNoErrors(Example example) {
		FhirInstanceValidator structural = new FhirInstanceValidator(new ValidationSupportChain(
				new DefaultProfileValidationSupport(FHIR),
				new SnapshotGeneratingValidationSupport(FHIR),
				new InMemoryTerminologyServerValidationSupport(FHIR),
				new CommonCodeSystemsTerminologyService(FHIR)));
		structural.setNoTerminologyChecks(true);
		structural.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
		FhirValidator validator = FHIR.newValidator().registerValidatorModule(structural);

		ValidationResult result = validator.validateWithResult(text(example.file()));

		List<String> errors = result.getMessages().stream()
				.filter(message -> message.getSeverity() == ResultSeverityEnum.ERROR || message.getSeverity() == ResultSeverityEnum.FATAL)
				.map(SingleValidationMessage::toString)
				.toList();
		assertThat(errors).isEmpty();
	}

	@Test
	void whenTheExamplesFolderIsListedThenEveryFileHasItsExpectedCards() throws IOException {
		Set<String> files = Arrays.stream(new PathMatchingResourcePatternResolver().getResources("classpath:" + EXAMPLES + "*.json"))
				.map(org.springframework.core.io.Resource::getFilename)
				.collect(Collectors.toCollection(TreeSet::new));
		assertThat(files).containsExactlyInAnyOrderElementsOf(examples().stream().map(Example::file).toList());
	}

	/** The transaction's resources as the collection an evaluation reads (ids as {@code Type/id}, as the store gives). */
	private static Bundle asCollection(Bundle transaction) {
		Bundle collection = new Bundle().setType(Bundle.BundleType.COLLECTION);
		for (BundleEntryComponent entry : transaction.getEntry()) {
			Resource resource = entry.getResource().copy();
			resource.setIdElement(new IdType(resource.fhirType(), entry.getResource().getIdElement().getIdPart()));
			collection.addEntry().setFullUrl(resource.getIdElement().getValue()).setResource(resource);
		}
		return collection;
	}

	private static <T extends Resource> List<T> resources(Bundle bundle, Class<T> type) {
		return bundle.getEntry().stream().map(BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).toList();
	}

	private static Bundle read(String file) {
		IParser parser = FHIR.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
		return parser.parseResource(Bundle.class, text(file));
	}

	private static String text(String file) {
		try (InputStream in = ExampleDyadsTests.class.getClassLoader().getResourceAsStream(EXAMPLES + file)) {
			assertThat(in).as("classpath resource %s%s", EXAMPLES, file).isNotNull();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new IllegalStateException("Cannot read " + EXAMPLES + file, e);
		}
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
