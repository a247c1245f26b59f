package org.lactationcds.evaluation;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import org.hl7.fhir.r4.model.Bundle;

/**
 * One PlanDefinition evaluation for one subject.
 *
 * @param planDefinition the versioned canonical ({@code url|version}) of the PlanDefinition to apply
 * @param subject the subject, {@code Patient/<id>}
 * @param data every resource the rules may read: the engine reads nothing else (no database during evaluation)
 * @param evaluationTime "now" for the rules (the CDS Hooks request time), given to the CQL as "Evaluation Time"
 * @param hook the CDS Hooks hook answered, given to the CQL as "Hook"; null outside CDS Hooks
 * @param selections order-select's selected draft orders ({@code Type/id}), given to the CQL as "Selections"; null
 *     when every draft order counts
 * @param clinicalZone the server's clinical time zone: a birthDate without a time is 00:00 there (never the JVM's
 *     zone); its UTC offset at the evaluation time is given to the CQL as "Clinical Time Zone Offset"
 */
public record EvaluationRequest(
		String planDefinition,
		String subject,
		Bundle data,
		Instant evaluationTime,
		String hook,
		List<String> selections,
		ZoneId clinicalZone) {

	public EvaluationRequest(String planDefinition, String subject, Bundle data, Instant evaluationTime) {
		this(planDefinition, subject, data, evaluationTime, null, null, ZoneOffset.UTC);
	}

	public EvaluationRequest(
			String planDefinition, String subject, Bundle data, Instant evaluationTime, String hook, List<String> selections) {
		this(planDefinition, subject, data, evaluationTime, hook, selections, ZoneOffset.UTC);
	}

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
		selections = selections == null ? null : List.copyOf(selections);
		clinicalZone = clinicalZone == null ? ZoneOffset.UTC : clinicalZone;
	}
}
