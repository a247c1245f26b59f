package org.lactationcds.evaluation;

import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Reference;

/**
 * The engine makes every goal of an applied PlanDefinition the subject's, but a protocol applied for the mother has
 * goals about her infant (weight gain, wet diapers). The PlanDefinition marks those with the extension
 * {@value #GOAL_SUBJECT} = infant, and they get the infant as subject (clinical-rules.md 5.13), whether the CarePlan
 * is a card's suggestion or the answer of {@code $apply}.
 */
public final class GoalSubjects {

	public static final String GOAL_SUBJECT = "http://lactation-cds.org/fhir/StructureDefinition/goal-subject";

	private GoalSubjects() {
	}

	/** Gives {@code infant} ("Patient/id") as subject to the goals of {@code plan} that {@code definition} marks as the infant's. */
	public static void assignInfantGoals(CarePlan plan, PlanDefinition definition, String infant) {
		var infantGoals = definition.getGoal().stream()
				.filter(goal -> goal.getExtensionsByUrl(GOAL_SUBJECT).stream()
						.anyMatch(extension -> "infant".equals(extension.getValue().primitiveValue())))
				.map(goal -> goal.getDescription().getText())
				.toList();
		plan.getContained().stream()
				.filter(Goal.class::isInstance)
				.map(Goal.class::cast)
				.filter(goal -> infantGoals.contains(goal.getDescription().getText()))
				.forEach(goal -> goal.setSubject(new Reference(infant)));
	}
}
