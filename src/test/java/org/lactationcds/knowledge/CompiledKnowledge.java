package org.lactationcds.knowledge;

import ca.uhn.fhir.context.FhirContext;
import org.opencds.cqf.fhir.cql.EvaluationSettings;

/** A compiled snapshot of a knowledge package, for tests that evaluate without a server. */
public final class CompiledKnowledge {

	private CompiledKnowledge() {}

	public static KnowledgeSnapshot snapshot(String location) {
		FhirContext fhirContext = FhirContext.forR4Cached();
		KnowledgePackage knowledge = new KnowledgePackageReader(fhirContext).read(location);
		EvaluationSettings settings = EngineSettings.forRequestData();
		new CqlLibraryCompiler().compile(knowledge, settings);
		return KnowledgeSnapshot.of(fhirContext, knowledge, settings);
	}
}
