package org.lactationcds.cds.card;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A CDS Hooks 2.0 card. Empty and null members are left out of the JSON (CDS Hooks: an optional attribute without a
 * value is omitted, never null or empty).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Card(
		String uuid,
		String summary,
		String detail,
		String indicator,
		Source source,
		List<Suggestion> suggestions,
		String selectionBehavior,
		List<Coding> overrideReasons,
		List<Link> links) {

	/** The rule this card reports (its {@code source.topic} code). */
	public String rule() {
		return source.topic().code();
	}

	@JsonInclude(JsonInclude.Include.NON_EMPTY)
	public record Source(String label, String url, Coding topic) {}

	@JsonInclude(JsonInclude.Include.NON_EMPTY)
	public record Coding(String system, String code, String display) {}

	@JsonInclude(JsonInclude.Include.NON_EMPTY)
	public record Suggestion(String label, String uuid, List<Action> actions) {}

	/** {@code type} is create, update or delete; create and update carry the whole resource, delete a resourceId. */
	@JsonInclude(JsonInclude.Include.NON_EMPTY)
	public record Action(String type, String description, JsonNode resource, String resourceId) {}

	/**
	 * A CDS Hooks link: {@code absolute} (a page to open) or {@code smart} (an app's launch URL, with
	 * {@code appContext} passed through the launch to the app).
	 */
	@JsonInclude(JsonInclude.Include.NON_EMPTY)
	public record Link(String label, String url, String type, String appContext) {

		public Link(String label, String url, String type) {
			this(label, url, type, null);
		}
	}

	/** indicator order: critical before warning before info. */
	public int severity() {
		return switch (indicator) {
			case "critical" -> 3;
			case "warning" -> 2;
			default -> 1;
		};
	}
}
