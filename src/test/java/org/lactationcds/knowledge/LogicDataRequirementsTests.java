package org.lactationcds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What each service reads comes from what its rules' CQL retrieves, by the queries the library declares. */
class LogicDataRequirementsTests {

	static KnowledgePackage packaged;
	static KnowledgeSnapshot snapshot;
	static PlanDefinition redFlags;

	@BeforeAll
	static void compile() {
		packaged = new KnowledgePackageReader(ca.uhn.fhir.context.FhirContext.forR4Cached()).read("classpath:fhir-resources");
		snapshot = CompiledKnowledge.snapshot("classpath:fhir-resources");
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
		Runnable withoutGoals = withRedFlagsLibrary(library -> library.getDataRequirement()
				.removeIf(requirement -> requirement.getType().equals("Goal")));

		assertThatThrownBy(withoutGoals::run)
				.isInstanceOf(KnowledgeException.class)
				.hasMessageContaining("Library/LactationRedFlags (with its includes) retrieves [Goal]")
				.hasMessageContaining("declares no dataRequirement");
	}

	@Test
	void aDeclaredRequirementNoRuleReadsStopsTheKnowledge() {
		Runnable withImmunizations = withRedFlagsLibrary(library -> library.addDataRequirement()
				.setType("Immunization")
				.setId("immunizations")
				.addExtension(DataRequirement.QUERY_PATTERN, new StringType("Immunization?patient={{context.patientId}}")));

		assertThatThrownBy(withImmunizations::run)
				.isInstanceOf(KnowledgeException.class)
				.hasMessageContaining("'immunizations' (Immunization) but no rule of its PlanDefinitions retrieves Immunization");
	}

	@Test
	void aRequirementWithoutAQueryOrWithAnotherTypesQueryStopsTheKnowledge() {
		Runnable noQuery = withRedFlagsLibrary(library -> library.getDataRequirement().stream()
				.filter(requirement -> requirement.getType().equals("Goal")).findFirst().orElseThrow()
				.getExtension().clear());
		Runnable wrongType = withRedFlagsLibrary(library -> library.getDataRequirement().stream()
				.filter(requirement -> requirement.getType().equals("Goal")).findFirst().orElseThrow()
				.getExtensionByUrl(DataRequirement.QUERY_PATTERN).setValue(new StringType("CarePlan?patient={{context.patientId}}")));

		assertThatThrownBy(noQuery::run)
				.isInstanceOf(KnowledgeException.class)
				.hasMessageContaining("dataRequirement Goal has no " + DataRequirement.QUERY_PATTERN);
		assertThatThrownBy(wrongType::run)
				.isInstanceOf(KnowledgeException.class)
				.hasMessageContaining("dataRequirement Goal: its query reads CarePlan");
	}

	private static List<String> keys(PlanDefinition plan) {
		return snapshot.dataRequirements(plan).stream().map(DataRequirement::key).toList();
	}

	/** The packaged knowledge with {@code change} made to the red-flag Library: compiling it gives the snapshot or the error. */
	private static Runnable withRedFlagsLibrary(Consumer<Library> change) {
		Library library = packaged.resourcesOfType(Library.class).stream()
				.filter(candidate -> candidate.getName().equals("LactationRedFlags")).findFirst().orElseThrow().copy();
		change.accept(library);
		return () -> CompiledKnowledge.snapshotWith("classpath:fhir-resources", library);
	}
}
