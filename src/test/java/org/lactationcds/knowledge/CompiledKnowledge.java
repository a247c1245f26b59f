package org.lactationcds.knowledge;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.fhir.cql.EvaluationSettings;

/** A compiled snapshot of a knowledge package, for tests that evaluate without a server. */
public final class CompiledKnowledge {

	private CompiledKnowledge() {}

	public static KnowledgeSnapshot snapshot(String location) {
		return compile(new KnowledgePackageReader(FhirContext.forR4Cached()).read(location));
	}

	/** The package at {@code location} with {@code replacement} in place of the resource of the same type and id. */
	public static KnowledgeSnapshot snapshotWith(String location, Resource replacement) {
		KnowledgePackage packaged = new KnowledgePackageReader(FhirContext.forR4Cached()).read(location);
		List<Resource> resources = packaged.resources().stream()
				.map(resource -> resource.fhirType().equals(replacement.fhirType())
						&& resource.getIdElement().getIdPart().equals(replacement.getIdElement().getIdPart()) ? replacement : resource)
				.toList();
		return compile(new KnowledgePackage(packaged.location(), resources, packaged.cqlByLibrary()));
	}

	private static KnowledgeSnapshot compile(KnowledgePackage knowledge) {
		EvaluationSettings settings = EngineSettings.forRequestData();
		new CqlLibraryCompiler().compile(knowledge, settings);
		return KnowledgeSnapshot.of(FhirContext.forR4Cached(), knowledge, settings);
	}
}
