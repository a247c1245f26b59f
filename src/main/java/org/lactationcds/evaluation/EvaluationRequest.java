package org.lactationcds.evaluation;

import java.time.Instant;
import java.util.Objects;
import org.hl7.fhir.r4.model.Bundle;

/**
 * One PlanDefinition evaluation for one subject.
 *
 * @param planDefinition the versioned canonical ({@code url|version}) of the PlanDefinition to apply
 * @param subject the subject, {@code Patient/<id>}
 * @param data every resource the rules may read: the engine reads nothing else (no database during evaluation)
 * @param evaluationTime "now" for the rules (the CDS Hooks request time), given to the CQL as "Evaluation Time"
 */
public record EvaluationRequest(String planDefinition, String subject, Bundle data, Instant evaluationTime) {

	public EvaluationRequest {
		Objects.requireNonNull(planDefinition, "planDefinition can not be null");
		if (!planDefinition.contains("|")) {
			throw new IllegalArgumentException("planDefinition must be a versioned canonical (url|version): " + planDefinition);
		}
		if (subject == null || !subject.startsWith("Patient/")) {
			throw new IllegalArgumentException("subject must be Patient/<id>: " + subject);
		}
		Objects.requireNonNull(data, "data can not be null");
		Objects.requireNonNull(evaluationTime, "evaluationTime can not be null");
	}
}
