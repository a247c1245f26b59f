package org.lactationcds.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One test scenario of the knowledge, read from {@code fhir-resources/input/tests/<id>/scenario.json}: the golden
 * scenarios of clinical-rules.md section 3 (ids GS-*) and those beyond the golden set (EX-*). See
 * fhir-resources/input/tests/README.md for the fields.
 */
public record GoldenScenario(
		String id, String name, String context, String hook, int evalAtDay, boolean lactating, JsonNode data,
		List<ExpectedCard> expectedCards) {

	/** The scenarios' folder, relative to the project base directory (where Maven runs the tests). */
	public static final Path TESTS = Path.of("fhir-resources", "input", "tests");

	/** The golden scenarios of clinical-rules.md section 3. */
	public static List<GoldenScenario> all() {
		return read(id -> id.startsWith("GS-"));
	}

	/** The scenarios beyond the golden set. */
	public static List<GoldenScenario> extra() {
		return read(id -> !id.startsWith("GS-"));
	}

	/** Every scenario directory's id (a directory holding a scenario.json). */
	public static List<String> directories() {
		try (Stream<Path> entries = Files.list(TESTS)) {
			return entries.filter(Files::isDirectory)
					.map(directory -> directory.getFileName().toString())
					.sorted()
					.toList();
		} catch (IOException e) {
			throw new UncheckedIOException("cannot list " + TESTS.toAbsolutePath(), e);
		}
	}

	private static List<GoldenScenario> read(java.util.function.Predicate<String> which) {
		ObjectMapper json = new ObjectMapper();
		List<GoldenScenario> scenarios = new ArrayList<>();
		for (String id : directories()) {
			if (!which.test(id)) {
				continue;
			}
			Path file = TESTS.resolve(id).resolve("scenario.json");
			try {
				scenarios.add(of(id, json.readTree(file.toFile())));
			} catch (IOException | RuntimeException e) {
				throw new IllegalStateException("cannot read " + file, e);
			}
		}
		return scenarios;
	}

	/**
	 * The longest scenario id: the dyad's ids are "inf-" or "mom-", the id and a two-letter suffix, and a FHIR id has
	 * at most 64 characters (a longer one is refused by the store, not by the engine tests).
	 */
	static final int MAX_ID_LENGTH = 64 - "mom-".length() - "-s".length();

	static GoldenScenario of(String id, JsonNode node) {
		if (id.length() > MAX_ID_LENGTH) {
			throw new IllegalArgumentException("scenario id " + id + " has " + id.length() + " characters, at most "
					+ MAX_ID_LENGTH + ": the patient ids made from it must be valid FHIR ids");
		}
		List<ExpectedCard> expected = new ArrayList<>();
		node.get("expected").forEach(card -> expected.add(ExpectedCard.of(card)));
		return new GoldenScenario(
				id,
				node.get("name").asText(),
				node.get("context").asText(),
				node.has("hook") ? node.get("hook").asText() : "patient-view",
				node.get("evalAt").asInt(),
				!node.has("lactating") || node.get("lactating").asBoolean(),
				node.get("data"),
				List.copyOf(expected));
	}

	/** The complete card set as RULE-ID/indicator. */
	public Set<String> expected() {
		return expectedCards.stream().map(ExpectedCard::card).collect(Collectors.toCollection(TreeSet::new));
	}

	@Override
	public String toString() {
		return id + " " + name;
	}

	/**
	 * One expected card: its RULE-ID/indicator and, when given, what it says: whose data fired it ("infant" or
	 * "mother"), substrings its detail shows (the evidence values as shown), the suggestions offered (the complete
	 * list, in order), a substring of its source's label and its exact summary. A plain string in the file is the card
	 * alone.
	 */
	public record ExpectedCard(String card, String subject, List<String> evidence, List<Suggestion> suggestions, String source,
			String summary) {

		static ExpectedCard of(JsonNode node) {
			if (node.isTextual()) {
				return new ExpectedCard(node.asText(), null, List.of(), null, null, null);
			}
			List<String> evidence = new ArrayList<>();
			node.path("evidence").forEach(value -> evidence.add(value.asText()));
			List<Suggestion> suggestions = null;
			if (node.has("suggestions")) {
				suggestions = new ArrayList<>();
				for (JsonNode suggestion : node.get("suggestions")) {
					suggestions.add(new Suggestion(
							suggestion.get("type").asText(),
							suggestion.get("resourceType").asText(),
							suggestion.path("code").isMissingNode() ? null : suggestion.get("code").asText(),
							suggestion.path("priority").isMissingNode() ? null : suggestion.get("priority").asText(),
							suggestion.path("occurrenceWithin").isMissingNode() ? null
									: java.time.Duration.parse(suggestion.get("occurrenceWithin").asText()).toString()));
				}
			}
			return new ExpectedCard(
					node.get("card").asText(),
					node.has("subject") ? node.get("subject").asText() : null,
					List.copyOf(evidence),
					suggestions == null ? null : List.copyOf(suggestions),
					node.has("source") ? node.get("source").asText() : null,
					node.has("summary") ? node.get("summary").asText() : null);
		}

		public String rule() {
			return card.substring(0, card.indexOf('/'));
		}

		/** Does the file say more of this card than its rule and indicator? */
		public boolean saysWhatItShows() {
			return subject != null || !evidence.isEmpty() || suggestions != null || source != null || summary != null;
		}
	}

	/**
	 * A suggested action: its type (create, update, delete), the resource's type, its code, the resource's
	 * {@code priority} and the length of its {@code occurrencePeriod} (an ISO-8601 duration as {@link
	 * java.time.Duration#toString()} writes it: "within 7 days" is PT168H) (null: not checked).
	 */
	public record Suggestion(String type, String resourceType, String code, String priority, String occurrenceWithin) {}
}
