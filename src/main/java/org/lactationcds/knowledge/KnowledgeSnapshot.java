package org.lactationcds.knowledge;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.repository.IRepository;
import java.util.Optional;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.opencds.cqf.fhir.cr.CrSettings;
import org.opencds.cqf.fhir.utility.repository.InMemoryFhirRepository;

/**
 * The knowledge that evaluations run on, immutable once built: the resources in an in-memory content repository
 * (no database read while evaluating) and the engine settings whose caches hold the compiled CQL.
 */
public final class KnowledgeSnapshot {

	private final KnowledgePackage knowledge;
	private final IRepository content;
	private final CrSettings settings;

	private KnowledgeSnapshot(KnowledgePackage knowledge, IRepository content, CrSettings settings) {
		this.knowledge = knowledge;
		this.content = content;
		this.settings = settings;
	}

	/** A snapshot of compiled knowledge: call after {@link CqlLibraryCompiler#compile} filled the settings' caches. */
	static KnowledgeSnapshot of(FhirContext fhirContext, KnowledgePackage knowledge, EvaluationSettings evaluationSettings) {
		InMemoryFhirRepository content = new InMemoryFhirRepository(fhirContext);
		knowledge.resources().forEach(content::update);
		return new KnowledgeSnapshot(knowledge, content, CrSettings.getDefault().withEvaluationSettings(evaluationSettings));
	}

	public KnowledgePackage knowledge() {
		return knowledge;
	}

	public IRepository content() {
		return content;
	}

	public CrSettings settings() {
		return settings;
	}

	public Optional<PlanDefinition> planDefinition(String id) {
		return knowledge.resourcesOfType(PlanDefinition.class).stream()
				.filter(plan -> plan.getIdElement().getIdPart().equals(id))
				.findFirst();
	}
}
