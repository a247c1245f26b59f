package org.lactationcds.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.RequestGroup.RequestGroupActionComponent;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.lactationcds.knowledge.CqlLibraryCompiler;
import org.lactationcds.knowledge.KnowledgePackage;
import org.lactationcds.knowledge.KnowledgePackageReader;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.opencds.cqf.fhir.cr.CrSettings;
import org.opencds.cqf.fhir.utility.repository.InMemoryFhirRepository;

/** $apply of the relactation protocol for a mother proposes the ten activities of RELACT-PROTOCOL. */
class RelactationProtocolTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();

	@Test
	void applyWhenForAMotherProposesTheTenProtocolActivitiesWithTheirRequests() {
		KnowledgePackage knowledge = new KnowledgePackageReader(FHIR).read("classpath:fhir-resources");
		EvaluationSettings settings = EvaluationSettings.getDefault();
		new CqlLibraryCompiler().compile(knowledge, settings);
		InMemoryFhirRepository content = new InMemoryFhirRepository(FHIR);
		knowledge.resources().forEach(content::update);
		Patient mother = new Patient();
		mother.setId("Patient/mom-relact");
		Bundle data = new Bundle().setType(Bundle.BundleType.COLLECTION);
		data.addEntry().setResource(mother);

		EvaluationResult result = new PlanDefinitionEvaluator(content, CrSettings.getDefault().withEvaluationSettings(settings))
				.evaluate(new EvaluationRequest(
						"http://lactation-cds.org/fhir/PlanDefinition/relactation-protocol|1.0.0",
						"Patient/mom-relact",
						data,
						Instant.parse("2025-04-26T08:00:00Z")));

		List<RequestGroupActionComponent> activities = result.actions();
		assertThat(result.issues()).isEmpty();
		assertThat(activities).hasSize(10);
		assertThat(activities.get(0).getTitle()).contains("IBCLC");
		assertThat(activities.get(7).getTitle()).contains("Monitoring");
		List<String> proposed = result.bundle().getEntry().stream()
				.map(Bundle.BundleEntryComponent::getResource)
				.map(Resource::fhirType)
				.toList();
		assertThat(proposed).contains("ServiceRequest", "CommunicationRequest", "Task");
	}
}
