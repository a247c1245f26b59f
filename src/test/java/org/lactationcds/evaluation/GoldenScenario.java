package org.lactationcds.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** One golden scenario of clinical-rules.md section 3, read from golden-scenarios.json. */
public record GoldenScenario(
		String id, String name, String context, String hook, int evalAtDay, boolean lactating, JsonNode data, Set<String> expected) {

	public static List<GoldenScenario> all() {
		return all("golden-scenarios.json");
	}

	public static List<GoldenScenario> all(String file) {
		try (InputStream in = GoldenScenario.class.getResourceAsStream(file)) {
			JsonNode root = new ObjectMapper().readTree(in);
			List<GoldenScenario> scenarios = new ArrayList<>();
			for (JsonNode node : root.get("scenarios")) {
				Set<String> expected = new TreeSet<>();
				node.get("expected").forEach(card -> expected.add(card.asText()));
				scenarios.add(new GoldenScenario(
						node.get("id").asText(),
						node.get("name").asText(),
						node.get("context").asText(),
						node.has("hook") ? node.get("hook").asText() : "patient-view",
						node.get("evalAt").asInt(),
						!node.has("lactating") || node.get("lactating").asBoolean(),
						node.get("data"),
						expected));
			}
			return scenarios;
		} catch (IOException e) {
			throw new IllegalStateException("cannot read " + file, e);
		}
	}

	@Override
	public String toString() {
		return id + " " + name;
	}
}
