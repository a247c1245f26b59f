package org.lactationcds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What each service reads comes from what its rules' CQL retrieves, by the queries the library declares. */
class LogicDataRequirementsTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static KnowledgePackage packaged;
	static KnowledgeSnapshot snapshot;
	static PlanDefinition redFlags;

	@BeforeAll
	static void compile() {
		packaged = new KnowledgePackageReader(FHIR).read("classpath:fhir-resources");
		snapshot = snapshotOf(packaged);
		redFlags = snapshot.planDefinition("lactation-red-flags").orElseThrow();
	}

	@Test
	void eachHookReadsWhatItsRulesRetrieve() {
		// Only MED-GALACTOGOGUE (order hooks) looks for a lactation consultation recorded as an Encounter.
		assertThat(keys(KnowledgeSnapshot.triggeredBy(redFlags, "patient-view")))
				.containsExactly("patient", "related", "obs", "cond", "careplans", "meds", "medstatements", "procs",
						"referrals", "goals");
		assertThat(keys(KnowledgeSnapshot.triggeredBy(redFlags, "order-sign")))
				.contains("encounters", "meds", "obs")
				.startsWith("patient", "related");
		assertThat(snapshot.dataRequirements(KnowledgeSnapshot.triggeredBy(redFlags, "order-sign")))
				.contains(new DataRequirement("obs", "Observation?patient={{context.patientId}}&_sort=-date&_count=200"));
	}

	@Test
	void theWholePlanReadsEveryDeclaredRequirementAndAPlanWithoutLogicOnlyTheDyadLinks() {
		assertThat(keys(redFlags)).containsExactly("patient", "related", "obs", "cond", "careplans", "meds",
				"medstatements", "procs", "encounters", "referrals", "goals");
		PlanDefinition protocol = snapshot.planDefinition("relactation-protocol").orElseThrow();
		assertThat(snapshot.dataRequirements(protocol)).isEqualTo(DataRequirement.DYAD_LINKS);
	}

	@Test
	void aRuleThatRetrievesUndeclaredPatientDataStopsTheKnowledge() {
		KnowledgePackage withoutGoals = withRedFlagsLibrary(library -> library.getDataRequirement()
				.removeIf(requirement -> requirement.getType().equals("Goal")));

		assertThatThrownBy(() -> snapshotOf(withoutGoals))
				.isInstanceOf(KnowledgeException.class)
				.hasMessageContaining("Library/LactationRedFlags (with its includes) retrieves [Goal]")
				.hasMessageContaining("declares no dataRequirement");
	}

	@Test
	void aDeclaredRequirementNoRuleReadsStopsTheKnowledge() {
		KnowledgePackage withImmunizations = withRedFlagsLibrary(library -> library.addDataRequirement()
				.setType("Immunization")
				.setId("immunizations")
				.addExtension(DataRequirement.QUERY_PATTERN, new StringType("Immunization?patient={{context.patientId}}")));

		assertThatThrownBy(() -> snapshotOf(withImmunizations))
				.isInstanceOf(KnowledgeException.class)
				.hasMessageContaining("'immunizations' (Immunization) but no rule of its PlanDefinitions retrieves Immunization");
	}

	@Test
	void aRequirementWithoutAQueryOrWithAnotherTypesQueryStopsTheKnowledge() {
		KnowledgePackage noQuery = withRedFlagsLibrary(library -> library.getDataRequirement().stream()
				.filter(requirement -> requirement.getType().equals("Goal")).findFirst().orElseThrow()
				.getExtension().clear());
		KnowledgePackage wrongType = withRedFlagsLibrary(library -> library.getDataRequirement().stream()
				.filter(requirement -> requirement.getType().equals("Goal")).findFirst().orElseThrow()
				.getExtensionByUrl(DataRequirement.QUERY_PATTERN).setValue(new StringType("CarePlan?patient={{context.patientId}}")));

		assertThatThrownBy(() -> snapshotOf(noQuery))
				.isInstanceOf(KnowledgeException.class)
				.hasMessageContaining("dataRequirement Goal has no " + DataRequirement.QUERY_PATTERN);
		assertThatThrownBy(() -> snapshotOf(wrongType))
				.isInstanceOf(KnowledgeException.class)
				.hasMessageContaining("dataRequirement Goal: its query reads CarePlan");
	}

	private static List<String> keys(PlanDefinition plan) {
		return snapshot.dataRequirements(plan).stream().map(DataRequirement::key).toList();
	}

	private static KnowledgeSnapshot snapshotOf(KnowledgePackage knowledge) {
		var settings = EngineSettings.forRequestData();
		new CqlLibraryCompiler().compile(knowledge, settings);
		return KnowledgeSnapshot.of(FHIR, knowledge, settings);
	}

	private static KnowledgePackage withRedFlagsLibrary(Consumer<Library> change) {
		List<Resource> resources = new ArrayList<>();
		for (Resource resource : packaged.resources()) {
			if (resource instanceof Library library && library.getName().equals("LactationRedFlags")) {
				Library changed = library.copy();
				change.accept(changed);
				resources.add(changed);
			} else {
				resources.add(resource);
			}
		}
		return new KnowledgePackage(packaged.location(), resources, packaged.cqlByLibrary());
	}
}
