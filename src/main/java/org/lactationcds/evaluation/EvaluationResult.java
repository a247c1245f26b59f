package org.lactationcds.evaluation;

import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.RequestGroup;
import org.hl7.fhir.r4.model.RequestGroup.RequestGroupActionComponent;

/**
 * What applying a PlanDefinition produced: the RequestGroup of the actions that apply (with their dynamic values
 * filled in), the resources it proposes, and any problems the engine recorded while evaluating the content.
 */
public record EvaluationResult(RequestGroup requestGroup, Bundle bundle, List<OperationOutcome> issues) {

	public EvaluationResult {
		issues = List.copyOf(issues);
	}

	/** The actions that apply. (The engine leaves a null in the RequestGroup for each action that does not.) */
	public List<RequestGroupActionComponent> actions() {
		return requestGroup.getAction().stream().filter(java.util.Objects::nonNull).toList();
	}
}
