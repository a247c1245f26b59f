package org.lactationcds.evaluation;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How evaluations run.
 *
 * @param timeBudget the longest one CDS Hooks call (all its evaluations) or one publish's smoke evaluation may spend
 *     evaluating rules; past it, the rules not yet evaluated are reported as failed and the call answers
 */
@ConfigurationProperties("lactation-cds.evaluation")
public record EvaluationProperties(@DefaultValue("5s") Duration timeBudget) {

	public EvaluationProperties {
		if (timeBudget == null || timeBudget.isNegative() || timeBudget.isZero()) {
			throw new IllegalArgumentException("lactation-cds.evaluation.time-budget must be positive");
		}
	}
}
