package org.lactationcds.cds.feedback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.lactationcds.cds.CdsRequestException;
import org.lactationcds.cds.card.CardUuids;

/** Reads a CDS Hooks 2.0 feedback body ({@code {"feedback": [...]}}) and checks invariants cds-fb-1 to cds-fb-3. */
public final class FeedbackParser {

	private final ObjectMapper json;

	public FeedbackParser(ObjectMapper json) {
		this.json = json;
	}

	public List<Feedback> parse(String body, Collection<String> ruleIds) {
		JsonNode root;
		try {
			root = body == null || body.isBlank() ? null : json.readTree(body);
		} catch (JsonProcessingException e) {
			throw CdsRequestException.badRequest("the feedback body is not valid JSON: " + e.getOriginalMessage());
		}
		if (root == null || !root.isObject() || !root.path("feedback").isArray()) {
			throw CdsRequestException.badRequest("the feedback body must be an object with a \"feedback\" array");
		}
		List<Feedback> items = new ArrayList<>();
		int index = 0;
		for (JsonNode item : root.get("feedback")) {
			items.add(item(item, "feedback[" + index++ + "]", ruleIds));
		}
		return items;
	}

	private static Feedback item(JsonNode item, String where, Collection<String> ruleIds) {
		if (!item.isObject()) {
			throw CdsRequestException.badRequest(where + " must be an object");
		}
		String card = text(item, "card", where);
		UUID uuid;
		try {
			uuid = UUID.fromString(card);
		} catch (IllegalArgumentException e) {
			throw CdsRequestException.badRequest(where + ".card must be the uuid of a card");
		}
		String outcome = text(item, "outcome", where);
		if (!outcome.equals("accepted") && !outcome.equals("overridden")) {
			throw CdsRequestException.badRequest(where + ".outcome must be accepted or overridden (cds-fb-1)");
		}
		List<String> accepted = new ArrayList<>();
		JsonNode suggestions = item.get("acceptedSuggestions");
		if (outcome.equals("accepted")) {
			if (suggestions == null || !suggestions.isArray() || suggestions.isEmpty() || suggestions.size() > 50) {
				throw CdsRequestException.badRequest(where + ".acceptedSuggestions is required when accepted (cds-fb-2)");
			}
			for (JsonNode suggestion : suggestions) {
				if (!suggestion.path("id").isTextual()) {
					throw CdsRequestException.badRequest(where + ".acceptedSuggestions[] must be objects with an id");
				}
				accepted.add(limited(suggestion.get("id").asText(), "acceptedSuggestions[].id", 64));
			}
		}
		Feedback.OverrideReason reason = null;
		String comment = null;
		JsonNode override = item.get("overrideReason");
		if (override != null && !override.isNull()) {
			JsonNode coding = override.get("reason");
			if (coding != null && coding.isObject()) {
				reason = new Feedback.OverrideReason(
						optionalText(coding, "system"), text(coding, "code", where + ".overrideReason.reason"), optionalText(coding, "display"));
			}
			comment = optionalText(override, "userComment");
			if (reason == null && comment == null) {
				throw CdsRequestException.badRequest(where + ".overrideReason needs a reason or a userComment (cds-fb-3)");
			}
		}
		Instant time;
		try {
			time = OffsetDateTime.parse(text(item, "outcomeTimestamp", where)).toInstant();
		} catch (DateTimeParseException e) {
			throw CdsRequestException.badRequest(where + ".outcomeTimestamp must be an ISO 8601 date-time with offset");
		}
		String rule = CardUuids.ruleOf(uuid, ruleIds).orElse(null);
		return new Feedback(card, rule, outcome, accepted, reason, comment, time);
	}

	/** Longest text stored (codes, systems, displays: the table's columns); a comment may be longer. */
	static final int MAX_TEXT = 255;
	static final int MAX_COMMENT = 4000;

	private static String text(JsonNode node, String field, String where) {
		JsonNode value = node.get(field);
		if (value == null || !value.isTextual() || value.asText().isBlank()) {
			throw CdsRequestException.badRequest(where + "." + field + " is required (a string)");
		}
		return limited(value.asText(), field, MAX_TEXT);
	}

	private static String optionalText(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return value != null && value.isTextual() && !value.asText().isBlank()
				? limited(value.asText(), field, field.equals("userComment") ? MAX_COMMENT : MAX_TEXT)
				: null;
	}

	private static String limited(String text, String field, int max) {
		if (text.length() > max) {
			throw CdsRequestException.badRequest(field + " is longer than " + max + " characters");
		}
		return text;
	}
}
