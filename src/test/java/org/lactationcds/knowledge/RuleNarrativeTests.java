package org.lactationcds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each rule of the rules CodeSystem has its narrative in {@code fhir-resources/input/pagecontent/<RULE-ID>.md} with the
 * sections When, Then, Why, Sources and Tested by; the scenarios a page names under "Tested by" exist under
 * {@code input/tests/} and mention the rule, and every scenario that expects the rule's card is named there;
 * {@code index.md} links every page. Plain JUnit: reads the source folder, no Spring, no engine.
 */
class RuleNarrativeTests {

	static final Path KNOWLEDGE = Path.of("fhir-resources");
	static final List<String> SECTIONS = List.of("When", "Then", "Why", "Sources", "Tested by");
	/** GS-01a, EX-03, or EX-<RULE-ID>-<what> (EX-RF-INFANT-LOW-OUTPUT-stale-count). */
	static final Pattern SCENARIO_ID = Pattern.compile("\\b(?:(?:GS|EX)-\\d{2}[a-z]?|EX-[A-Z][A-Z0-9-]*-[a-z0-9]+(?:-[a-z0-9]+)*)\\b");
	static final Pattern HEADING = Pattern.compile("^## (.+?)\\s*$", Pattern.MULTILINE);
	static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(?:#[^)]*)?\\)");
	static final ObjectMapper JSON = new ObjectMapper();

	@Test
	void everyRuleHasANarrativeWithItsSectionsAndTestedScenariosAndTheIndexLinksThemAll() {
		assertThat(ruleCodes(KNOWLEDGE)).as("rule codes of the rules CodeSystem").hasSizeGreaterThanOrEqualTo(20)
				.contains("RF-INFANT-WEIGHT-LOSS", "DATA-QUALITY");
		assertThat(problems(KNOWLEDGE)).isEmpty();
	}

	// ------------------------------------------------------------------ the check can fail

	@Test
	void reportsAMissingPageAMissingSectionAnUnknownOrUnrelatedScenarioAnUnlistedScenarioAndAMissingLink(
			@TempDir Path root) throws IOException {
		write(root.resolve("input/vocabulary/codesystem/CodeSystem-lactation-cds-rules.json"),
				"{\"resourceType\":\"CodeSystem\",\"concept\":[{\"code\":\"RULE-A\"},{\"code\":\"RULE-B\"},{\"code\":\"RULE-C\"}]}");
		write(root.resolve("input/tests/GS-01a/scenario.json"), "{\"expected\":[\"RULE-A/warning\"]}");
		write(root.resolve("input/tests/GS-01b/scenario.json"), "{\"expected\":[{\"card\":\"RULE-C/info\"}]}");
		write(root.resolve("input/tests/GS-02a/scenario.json"), "{\"expected\":[\"RULE-B/info\"]}");
		// RULE-A: no "Why" section; names GS-09z (no such scenario) and GS-01b (does not mention RULE-A).
		write(root.resolve("input/pagecontent/RULE-A.md"), page("RULE-A", List.of("When", "Then", "Sources", "Tested by"),
				"- GS-01a\n- GS-09z\n- GS-01b\n"));
		// RULE-C: names no scenario although GS-01b expects its card; the When section names GS-07q, which does not exist.
		write(root.resolve("input/pagecontent/RULE-C.md"), page("RULE-C", SECTIONS, "No scenario yet.\n")
				.replace("text of When", "silent case GS-07q"));
		// An orphan page for a code the CodeSystem does not have; index links RULE-A only. RULE-B has no page.
		write(root.resolve("input/pagecontent/RULE-Z.md"), page("RULE-Z", SECTIONS, "No scenario.\n"));
		write(root.resolve("input/pagecontent/index.md"), "# Rules\n\n- [RULE-A](RULE-A.md): one line.\n");

		List<String> problems = problems(root);

		assertThat(problems).anySatisfy(p -> assertThat(p).contains("RULE-B").contains("no narrative page"));
		assertThat(problems).anySatisfy(p -> assertThat(p).contains("RULE-A.md").contains("Why"));
		assertThat(problems).anySatisfy(p -> assertThat(p).contains("RULE-A.md").contains("GS-09z").contains("no such scenario"));
		assertThat(problems).anySatisfy(p -> assertThat(p).contains("RULE-A.md").contains("GS-01b").contains("does not mention RULE-A"));
		assertThat(problems).anySatisfy(p -> assertThat(p).contains("RULE-C.md").contains("GS-01b").contains("not listed"));
		assertThat(problems).anySatisfy(p -> assertThat(p).contains("RULE-C.md").contains("GS-07q"));
		assertThat(problems).anySatisfy(p -> assertThat(p).contains("RULE-Z.md").contains("not a code"));
		assertThat(problems).anySatisfy(p -> assertThat(p).contains("index.md").contains("RULE-C.md"));
		assertThat(problems).noneSatisfy(p -> assertThat(p).contains("GS-01a"));
	}

	@Test
	void reportsAnEmptyTestedBySectionThatDoesNotSaySoAndAnEmptySection(@TempDir Path root) throws IOException {
		write(root.resolve("input/vocabulary/codesystem/CodeSystem-lactation-cds-rules.json"),
				"{\"resourceType\":\"CodeSystem\",\"concept\":[{\"code\":\"RULE-A\"}]}");
		Files.createDirectories(root.resolve("input/tests"));
		write(root.resolve("input/pagecontent/RULE-A.md"),
				page("RULE-A", SECTIONS, "Covered elsewhere.\n").replace("text of Why\n", ""));
		write(root.resolve("input/pagecontent/index.md"), "- [RULE-A](RULE-A.md)\n");

		List<String> problems = problems(root);

		assertThat(problems).anySatisfy(p -> assertThat(p).contains("Tested by").contains("names no scenario"));
		assertThat(problems).anySatisfy(p -> assertThat(p).contains("section Why is empty"));
		assertThat(problems).hasSize(2);
	}

	// ------------------------------------------------------------------ the checks

	/** Every problem found in the narratives of the knowledge folder at {@code root}, one line each. */
	static List<String> problems(Path root) {
		Path pages = root.resolve("input/pagecontent");
		Path tests = root.resolve("input/tests");
		Set<String> codes = ruleCodes(root);
		Map<String, String> scenarios = scenarios(tests);
		List<String> problems = new ArrayList<>();

		for (String code : codes) {
			Path file = pages.resolve(code + ".md");
			if (!Files.isRegularFile(file)) {
				problems.add(code + ": no narrative page " + root.relativize(file));
				continue;
			}
			String page = read(file);
			String name = code + ".md";
			Map<String, String> sections = sections(page);
			if (!sections.keySet().containsAll(SECTIONS)) {
				List<String> missing = new ArrayList<>(SECTIONS);
				missing.removeAll(sections.keySet());
				problems.add(name + ": missing section(s) " + missing + " (found " + sections.keySet() + ")");
			} else if (!new ArrayList<>(sections.keySet()).stream().filter(SECTIONS::contains).toList().equals(SECTIONS)) {
				problems.add(name + ": sections out of order " + sections.keySet() + ", expected " + SECTIONS);
			}
			for (String section : SECTIONS) {
				if (sections.containsKey(section) && sections.get(section).isBlank()) {
					problems.add(name + ": section " + section + " is empty");
				}
			}
			for (String id : ids(page)) {
				if (!scenarios.containsKey(id)) {
					problems.add(name + ": names " + id + ", no such scenario under " + root.relativize(tests));
				}
			}
			String testedBy = sections.getOrDefault("Tested by", "");
			Set<String> listed = ids(testedBy);
			for (String id : listed) {
				if (scenarios.containsKey(id) && !mentions(scenarios.get(id), code)) {
					problems.add(name + ": Tested by names " + id + ", whose scenario.json does not mention " + code);
				}
			}
			for (Map.Entry<String, String> scenario : scenarios.entrySet()) {
				if (expectsCard(scenario.getValue(), code) && !listed.contains(scenario.getKey())) {
					problems.add(name + ": " + scenario.getKey() + " expects a " + code + " card but is not listed under Tested by");
				}
			}
			if (listed.isEmpty() && sections.containsKey("Tested by") && !testedBy.toLowerCase().contains("no scenario")) {
				problems.add(name + ": Tested by names no scenario and does not say \"No scenario\"");
			}
		}

		for (Path file : list(pages)) {
			String fileName = file.getFileName().toString();
			if (fileName.endsWith(".md") && !fileName.equals("index.md")
					&& !codes.contains(fileName.substring(0, fileName.length() - 3))) {
				problems.add(fileName + ": not a code of the rules CodeSystem (a page of a removed or renamed rule?)");
			}
		}

		Path index = pages.resolve("index.md");
		if (!Files.isRegularFile(index)) {
			problems.add("index.md: missing");
		} else {
			Set<String> links = new TreeSet<>();
			Matcher link = LINK.matcher(read(index));
			while (link.find()) {
				links.add(link.group(1));
			}
			for (String code : codes) {
				if (!links.contains(code + ".md")) {
					problems.add("index.md: does not link " + code + ".md");
				}
			}
			for (String target : links) {
				if (!target.contains(":") && !Files.exists(pages.resolve(target))) {
					problems.add("index.md: links " + target + ", which does not exist");
				}
			}
		}
		return problems;
	}

	/** The concept codes of the rules CodeSystem, nested concepts included. */
	static Set<String> ruleCodes(Path root) {
		Path file = root.resolve("input/vocabulary/codesystem/CodeSystem-lactation-cds-rules.json");
		try {
			Set<String> codes = new TreeSet<>();
			collectCodes(JSON.readTree(file.toFile()).path("concept"), codes);
			return codes;
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read " + file.toAbsolutePath(), e);
		}
	}

	private static void collectCodes(JsonNode concepts, Set<String> codes) {
		for (JsonNode concept : concepts) {
			codes.add(concept.path("code").asText());
			collectCodes(concept.path("concept"), codes);
		}
	}

	/** Scenario id (directory name) -> the text of its scenario.json. */
	static Map<String, String> scenarios(Path tests) {
		Map<String, String> scenarios = new LinkedHashMap<>();
		for (Path dir : list(tests)) {
			Path file = dir.resolve("scenario.json");
			if (Files.isRegularFile(file)) {
				scenarios.put(dir.getFileName().toString(), read(file));
			}
		}
		return scenarios;
	}

	/** Heading (level 2) -> its text up to the next level-2 heading, in page order. */
	static Map<String, String> sections(String page) {
		Map<String, String> sections = new LinkedHashMap<>();
		Matcher heading = HEADING.matcher(page);
		String current = null;
		int start = 0;
		while (heading.find()) {
			if (current != null) {
				sections.put(current, page.substring(start, heading.start()));
			}
			current = heading.group(1);
			start = heading.end();
		}
		if (current != null) {
			sections.put(current, page.substring(start));
		}
		return sections;
	}

	static Set<String> ids(String text) {
		Set<String> ids = new TreeSet<>();
		Matcher id = SCENARIO_ID.matcher(text);
		while (id.find()) {
			ids.add(id.group());
		}
		return ids;
	}

	/** The rule id as a whole token (RF-MASTITIS is not mentioned by RF-MASTITIS-X). */
	static boolean mentions(String scenarioJson, String code) {
		return Pattern.compile("(?<![A-Za-z0-9-])" + Pattern.quote(code) + "(?![A-Za-z0-9-])").matcher(scenarioJson).find();
	}

	/** Whether the scenario's expected cards include one of the rule ("RULE/indicator" or {"card": "RULE/indicator"}). */
	static boolean expectsCard(String scenarioJson, String code) {
		try {
			for (JsonNode expected : JSON.readTree(scenarioJson).path("expected")) {
				String card = expected.isTextual() ? expected.asText() : expected.path("card").asText();
				if (card.equals(code) || card.startsWith(code + "/")) {
					return true;
				}
			}
			return false;
		} catch (IOException e) {
			throw new UncheckedIOException("scenario.json is not JSON", e);
		}
	}

	private static List<Path> list(Path dir) {
		if (!Files.isDirectory(dir)) {
			return List.of();
		}
		try (Stream<Path> entries = Files.list(dir)) {
			return entries.sorted().toList();
		} catch (IOException e) {
			throw new UncheckedIOException("cannot list " + dir.toAbsolutePath(), e);
		}
	}

	private static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read " + file.toAbsolutePath(), e);
		}
	}

	private static void write(Path file, String text) throws IOException {
		Files.createDirectories(file.getParent());
		Files.writeString(file, text, StandardCharsets.UTF_8);
	}

	private static String page(String code, List<String> sections, String testedBy) {
		StringBuilder page = new StringBuilder("# " + code + "\n\n");
		for (String section : sections) {
			page.append("## ").append(section).append("\n\n")
					.append(section.equals("Tested by") ? testedBy : "text of " + section + "\n").append('\n');
		}
		return page.toString();
	}
}
