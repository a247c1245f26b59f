package org.lactationcds.cds.feedback;

import java.time.Instant;
import java.util.List;

/**
 * One CDS Hooks feedback item: what the clinician did with a card.
 *
 * @param card the card's uuid
 * @param rule the rule the card reported (read from the uuid); null when the uuid is not one of ours
 * @param outcome accepted or overridden
 * @param acceptedSuggestions the uuids of the suggestions taken (accepted only)
 * @param overrideReason the reason chosen, if any
 * @param userComment the clinician's comment, if any
 * @param outcomeTimestamp when the clinician acted
 */
public record Feedback(
		String card,
		String rule,
		String outcome,
		List<String> acceptedSuggestions,
		OverrideReason overrideReason,
		String userComment,
		Instant outcomeTimestamp) {

	/** An override reason Coding as the EHR sent it (display may be missing). */
	public record OverrideReason(String system, String code, String display) {}
}
