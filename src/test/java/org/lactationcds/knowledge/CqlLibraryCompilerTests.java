package org.lactationcds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import org.junit.jupiter.api.Test;
import org.opencds.cqf.fhir.cql.EvaluationSettings;

class CqlLibraryCompilerTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();

	@Test
	void compileWhenPackagedKnowledgeTranslatesEveryLibraryIntoTheSharedCache() {
		EvaluationSettings settings = EvaluationSettings.getDefault();
		KnowledgePackage knowledge = new KnowledgePackageReader(FHIR).read("classpath:fhir-resources");

		new CqlLibraryCompiler().compile(knowledge, settings);

		assertThat(settings.getLibraryCache().keySet())
				.extracting(id -> id.getId() + "|" + id.getVersion())
				.contains("LactationCommon|1.0.0", "FHIRHelpers|4.0.1");
	}

	@Test
	void compileWhenALibraryHasAnErrorNamesTheLibraryTheLineAndTheProblem() {
		KnowledgePackage broken = new KnowledgePackageReader(FHIR).read("classpath:org/lactationcds/knowledge/broken-cql");

		assertThatThrownBy(() -> new CqlLibraryCompiler().compile(broken, EvaluationSettings.getDefault()))
				.isInstanceOf(KnowledgeException.class)
				.hasMessageContaining("Broken line 13")
				.hasMessageContaining("No Such Definition");
	}
}
