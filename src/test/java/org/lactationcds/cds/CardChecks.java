package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The CDS Hooks 2.0 card rules (checklist sections 1.9, 1.10, 1.14) and our own, asserted on a response. */
final class CardChecks {

	static final String RULES = "http://lactation-cds.org/fhir/CodeSystem/lactation-cds-rules";
	static final String DISCLAIMER = "*Decision support only — verify clinically.*";

	private CardChecks() {}

	private static final java.util.regex.Pattern SUBJECT =
			java.util.regex.Pattern.compile("^\\*\\*Patient:\\*\\* the [a-z]+[^\\n]*\\((Patient/[^)]+)\\)\\.");

	/** Whose data fired the card: the patient its detail names first ("**Patient:** the infant ... (Patient/x)."). */
	static String subject(JsonNode card) {
		var matcher = SUBJECT.matcher(card.path("detail").asText());
		assertThat(matcher.find()).as("%s names its patient: %s", card.at("/source/topic/code").asText(),
				card.path("detail").asText()).isTrue();
		return matcher.group(1);
	}

	/**
	 * Every action the card's suggestions offer, in order: its type, the resource type (a delete's from its resourceId)
	 * the code of the resource's {@code code} (a MedicationRequest's medication; an updated CarePlan's cancelled
	 * activity, or {@code note}), the resource's {@code priority} and
	 * the length of its {@code occurrencePeriod}, each null when it has none.
	 */
	static java.util.List<org.lactationcds.evaluation.GoldenScenario.Suggestion> suggestedActions(JsonNode card) {
		java.util.List<org.lactationcds.evaluation.GoldenScenario.Suggestion> actions = new java.util.ArrayList<>();
		for (JsonNode suggestion : card.path("suggestions")) {
			for (JsonNode action : suggestion.path("actions")) {
				JsonNode resource = action.path("resource");
				String type = resource.isMissingNode()
						? action.path("resourceId").asText().replaceAll("/.*", "")
						: resource.path("resourceType").asText();
				JsonNode code = resource.has("code") ? resource.at("/code/coding/0/code")
						: resource.path("resourceType").asText().equals("CarePlan") ? cancelledActivityCode(resource)
						: resource.at("/medicationCodeableConcept/coding/0/code");
				actions.add(new org.lactationcds.evaluation.GoldenScenario.Suggestion(
						action.path("type").asText(), type, code.isMissingNode() ? null : code.asText(),
						resource.has("priority") ? resource.get("priority").asText() : null,
						occurrenceLength(resource.path("occurrencePeriod"))));
			}
		}
		return actions;
	}

	/**
	 * An updated CarePlan's code: the code of the first activity it sets to cancelled; else {@code note} when the update
	 * carries a note (RELACT-MONITOR's supplement reduction); missing when neither.
	 */
	private static JsonNode cancelledActivityCode(JsonNode carePlan) {
		for (JsonNode activity : carePlan.path("activity")) {
			if (activity.at("/detail/status").asText().equals("cancelled")) {
				return activity.at("/detail/code/coding/0/code");
			}
		}
		if (carePlan.path("note").size() > 0 && !carePlan.at("/note/0/text").asText().isBlank()) {
			return com.fasterxml.jackson.databind.node.TextNode.valueOf("note");
		}
		return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
	}

	/** How long a suggested request's occurrencePeriod lasts (start to end, as a Duration string), null without one. */
	private static String occurrenceLength(JsonNode period) {
		if (!period.has("start") || !period.has("end")) {
			return null;
		}
		return java.time.Duration.between(
				java.time.OffsetDateTime.parse(period.get("start").asText()),
				java.time.OffsetDateTime.parse(period.get("end").asText())).toString();
	}

	/** "RULE/indicator" of every card, after checking each card's shape. */
	static Set<String> rulesAndIndicators(JsonNode response) {
		assertThat(response.path("cards").isArray()).as("cards array in %s", response).isTrue();
		Set<String> cards = new TreeSet<>();
		for (JsonNode card : response.get("cards")) {
			assertWellFormed(card);
			cards.add(card.at("/source/topic/code").asText() + "/" + card.get("indicator").asText());
		}
		return cards;
	}

	static void assertWellFormed(JsonNode card) {
		String rule = card.at("/source/topic/code").asText();
		assertThat(card.path("uuid").asText()).as("uuid").matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
		assertThat(card.path("summary").asText()).as("%s summary", rule).isNotBlank().hasSizeLessThan(140)
				.doesNotContain("{").doesNotContain("null");
		assertThat(card.path("indicator").asText()).as("%s indicator", rule).isIn("info", "warning", "critical");
		assertThat(card.path("detail").asText()).as("%s detail", rule).contains("**Patient:**").endsWith(DISCLAIMER)
				.doesNotContain("null");
		assertThat(card.at("/source/label").asText()).as("%s source.label", rule).startsWith("Lactation CDS · " + rule + " · ");
		// clinical-rules.md 5.11: sources are named, never shown by the catalogue's internal ids ("SEED-003", "[LM-FURO]").
		assertThat(card.path("summary").asText() + card.path("detail").asText() + card.at("/source/label").asText())
				.as("%s text without internal source ids", rule)
				.doesNotContainPattern("SEED-\\d|\\[[A-Z][A-Z0-9]*-[A-Z0-9-]+\\]");
		if (card.at("/source").has("url")) {
			assertThat(card.at("/source/url").asText()).as("%s source.url", rule).startsWith("http");
		}
		assertThat(card.at("/source/topic/system").asText()).as("%s topic system", rule).isEqualTo(RULES);
		for (JsonNode link : card.path("links")) {
			assertThat(link.path("label").asText()).isNotBlank().doesNotContain("[");
			assertThat(link.path("url").asText()).startsWith("http");
			assertThat(link.path("type").asText()).isEqualTo("absolute");
		}
		if (card.has("suggestions")) {
			assertThat(card.path("selectionBehavior").asText()).as("%s selectionBehavior (cds-resp-6)", rule).isIn("any", "at-most-one");
			for (JsonNode suggestion : card.get("suggestions")) {
				assertThat(suggestion.path("label").asText()).isNotBlank();
				assertThat(suggestion.path("uuid").asText()).hasSize(36);
				assertThat(suggestion.path("actions")).as("%s suggestion actions", rule).isNotEmpty();
				for (JsonNode action : suggestion.get("actions")) {
					assertThat(action.path("description").asText()).as("cds-resp-5").isNotBlank();
					switch (action.path("type").asText()) {
						case "create", "update" -> {
							assertThat(action.path("resource").path("resourceType").isTextual())
									.as("%s %s resource", rule, action).isTrue();
							if (action.path("type").asText().equals("create")) {
								assertCompleteOrder(rule, action.path("resource"));
							}
						}
						case "delete" -> {
							assertThat(action.path("resourceId").asText()).matches("[A-Za-z]+/[A-Za-z0-9\\-.]+");
							assertThat(action.has("resource")).as("cds-resp-2").isFalse();
						}
						default -> throw new AssertionError("action type " + action.path("type"));
					}
				}
			}
		} else {
			assertThat(card.has("selectionBehavior")).isFalse();
		}
		for (JsonNode reason : card.path("overrideReasons")) {
			assertThat(reason.path("display").asText()).as("cds-resp-4").isNotBlank();
			assertThat(reason.path("code").asText()).isNotBlank();
			assertThat(reason.path("system").asText()).isNotBlank();
		}
		assertNoEmptyValues(card, "card " + rule);
	}

	/**
	 * clinical-rules.md 5.13: a suggested resource names the patient it concerns; a ServiceRequest carries a coded
	 * {@code code} (a standard code or the project's local one: system and code, not text only); a
	 * CommunicationRequest carries its message.
	 */
	static void assertCompleteOrder(String rule, JsonNode resource) {
		String type = resource.path("resourceType").asText();
		assertThat(resource.at("/subject/reference").asText()).as("%s %s subject", rule, type).startsWith("Patient/");
		if (type.equals("ServiceRequest")) {
			assertThat(resource.at("/code/coding/0/system").asText()).as("%s ServiceRequest code system: %s", rule, resource)
					.startsWith("http");
			assertThat(resource.at("/code/coding/0/code").asText()).as("%s ServiceRequest code: %s", rule, resource)
					.isNotBlank();
		}
		if (type.equals("CommunicationRequest")) {
			assertThat(resource.at("/payload/0/contentString").asText()).as("%s CommunicationRequest message", rule).isNotBlank();
		}
	}

	/** CDS Hooks: no null or empty values anywhere (G2). */
	static void assertNoEmptyValues(JsonNode node, String path) {
		assertThat(node.isNull()).as("null at %s", path).isFalse();
		if (node.isTextual()) {
			assertThat(node.asText()).as("empty string at %s", path).isNotEmpty();
		}
		if (node.isContainerNode()) {
			assertThat(node.isEmpty()).as("empty container at %s", path).isFalse();
			if (node.isObject()) {
				for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
					Map.Entry<String, JsonNode> field = fields.next();
					assertNoEmptyValues(field.getValue(), path + "." + field.getKey());
				}
			} else {
				int index = 0;
				for (JsonNode element : node) {
					assertNoEmptyValues(element, path + "[" + index++ + "]");
				}
			}
		}
	}
}
