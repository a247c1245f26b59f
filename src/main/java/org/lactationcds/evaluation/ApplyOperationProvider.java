package org.lactationcds.evaluation;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Clock;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.StringType;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.lactationcds.knowledge.KnowledgeSnapshot;

/**
 * {@code PlanDefinition/{id}/$apply?subject=Patient/{id}} on the knowledge the server runs (not on whatever
 * PlanDefinition the store holds), with the subject's data from the store; answers the CarePlan.
 */
public class ApplyOperationProvider {

	private final KnowledgeLoader knowledge;
	private final SubjectDataReader dataReader;
	private final Clock clock;

	ApplyOperationProvider(KnowledgeLoader knowledge, SubjectDataReader dataReader, Clock clock) {
		this.knowledge = knowledge;
		this.dataReader = dataReader;
		this.clock = clock;
	}

	@Operation(name = "$apply", idempotent = true, type = PlanDefinition.class)
	public CarePlan apply(
			@IdParam IdType planDefinitionId,
			@OperationParam(name = "subject", min = 1, max = 1) StringType subject,
			RequestDetails request) {
		KnowledgeSnapshot snapshot = knowledge.current();
		PlanDefinition plan = snapshot.planDefinition(planDefinitionId.getIdPart())
				.orElseThrow(() -> new ResourceNotFoundException("PlanDefinition/" + planDefinitionId.getIdPart()
						+ " is not part of the knowledge this server runs"));
		IdType patient = patientId(subject);
		var data = dataReader.read(patient, request);
		var evaluation = new EvaluationRequest(
				plan.getUrl() + "|" + plan.getVersion(), patient.getValue(), data, clock.instant(), null, null, clock.getZone());
		return new PlanDefinitionEvaluator(snapshot.content(), snapshot.settings()).applyAsCarePlan(evaluation);
	}

	private static IdType patientId(StringType subject) {
		IdType id = new IdType(subject == null ? null : subject.getValue());
		if (!"Patient".equals(id.getResourceType()) || !id.hasIdPart()) {
			throw new InvalidRequestException("subject must be Patient/<id>, got: " + (subject == null ? null : subject.getValue()));
		}
		return id.toUnqualifiedVersionless();
	}
}
