package org.lactationcds.security;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Several hundred mutated CDS Hooks requests and FHIR resources (truncated JSON, wrong types, huge strings, unknown
 * resource types, deep nesting, wrong units, odd dates): every answer is a 4xx, or a 200 with well-formed content,
 * never a 5xx, and the server stays healthy. Seeded, so a failure replays.
 */
@PostgresIntegrationTest
class FuzzTests {

	static final ObjectMapper JSON = new ObjectMapper();
	static final JsonNodeFactory NODES = JsonNodeFactory.instance;
	static final String PATIENT_VIEW = """
			{"hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "hook": "patient-view",
			 "context": {"userId": "Practitioner/fz", "patientId": "fz-mom"},
			 "prefetch": {"patient": {"resourceType": "Patient", "id": "fz-mom"},
			   "obs": {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {"resourceType": "Observation",
			     "id": "fz-t", "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "8310-5"}]},
			     "subject": {"reference": "Patient/fz-mom"}, "effectiveDateTime": "2026-03-05T08:00:00Z",
			     "valueQuantity": {"value": 38.6, "unit": "Cel", "system": "http://unitsofmeasure.org", "code": "Cel"}}}]}}}""";
	static final String ORDER_SIGN = """
			{"hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "hook": "order-sign",
			 "context": {"userId": "Practitioner/fz", "patientId": "fz-mom", "draftOrders": {"resourceType": "Bundle",
			   "type": "collection", "entry": [{"resource": {"resourceType": "MedicationRequest", "id": "d1", "status": "draft",
			   "intent": "order", "subject": {"reference": "Patient/fz-mom"}, "medicationCodeableConcept": {"coding": [
			   {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "8896"}]}}}]}},
			 "prefetch": {"patient": {"resourceType": "Patient", "id": "fz-mom"}}}""";
	static final String OBSERVATION = """
			{"resourceType": "Observation", "status": "final",
			 "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
			 "subject": {"reference": "Patient/fz-mom"}, "effectiveDateTime": "2026-03-05T08:00:00Z",
			 "valueQuantity": {"value": 3400, "unit": "g", "system": "http://unitsofmeasure.org", "code": "g"}}""";

	@Autowired
	FhirContext fhirContext;

	@LocalServerPort
	int port;

	final Random random = new Random(20261121L);

	@Test
	void mutatedRequestsNeverGetA5xxAndTheServerStaysHealthy() throws Exception {
		FhirTestClient client = new FhirTestClient(fhirContext, port);
		client.post("/fhir", "application/fhir+json", """
				{"resourceType": "Bundle", "type": "transaction", "entry": [{"fullUrl": "urn:uuid:1", "resource":
				 {"resourceType": "Patient", "id": "fz-mom"}, "request": {"method": "PUT", "url": "Patient/fz-mom"}}]}""");
		List<String> failures = new ArrayList<>();

		for (int i = 0; i < 200; i++) {
			String body = mutate(random.nextBoolean() ? PATIENT_VIEW : ORDER_SIGN);
			String service = body.contains("order-sign") ? "lactation-order-sign" : "lactation-patient-view";
			check(failures, "CDS #" + i, client.post("/cds-services/" + service, "application/json", body), body);
		}
		for (int i = 0; i < 150; i++) {
			String body = mutate(OBSERVATION);
			check(failures, "FHIR #" + i, client.post("/fhir/Observation", "application/fhir+json", body), body);
		}
		for (int i = 0; i < 50; i++) {
			String body = mutate(feedback());
			check(failures, "feedback #" + i, client.post("/cds-services/lactation-patient-view/feedback", "application/json", body), body);
		}

		assertThat(failures).isEmpty();
		assertThat(client.get("/actuator/health").body()).contains("\"UP\"");
	}

	private static void check(List<String> failures, String what, HttpResponse<String> response, String body) {
		int status = response.statusCode();
		if (status >= 500 || status < 200 || (status >= 300 && status < 400)) {
			failures.add(what + " -> " + status + " " + abbreviate(response.body()) + "\n   sent: " + abbreviate(body));
		}
	}

	private String feedback() {
		return """
				{"feedback": [{"card": "0c7a5a3e-8f1a-8b0e-9d55-1a2b3c4d5e6f", "outcome": "overridden",
				 "overrideReason": {"reason": {"system": "http://example.org", "code": "x"}, "userComment": "c"},
				 "outcomeTimestamp": "2026-03-05T10:00:00Z"}]}""";
	}

	/** One of the mutations, chosen at random. */
	private String mutate(String json) throws Exception {
		JsonNode tree = JSON.readTree(json);
		return switch (random.nextInt(8)) {
			case 0 -> json.substring(0, random.nextInt(json.length()));
			case 1 -> JSON.writeValueAsString(replaceRandom(tree, node -> wrongType()));
			case 2 -> JSON.writeValueAsString(replaceRandom(tree, node -> NODES.textNode("x".repeat(200_000))));
			case 3 -> json.replace("\"Observation\"", "\"NoSuchResource\"").replace("\"Patient\"", "\"Spaceship\"");
			case 4 -> deepNesting(json);
			case 5 -> json.replace("\"Cel\"", "\"banana\"").replace("\"g\"", "\"[lb_av]\"").replace("38.6", "-1e308");
			case 6 -> json.replace("2026-03-05T08:00:00Z", oddDate()).replace("2026-03-05T10:00:00Z", oddDate());
			default -> JSON.writeValueAsString(replaceRandom(tree, node -> NODES.nullNode()));
		};
	}

	private JsonNode wrongType() {
		return switch (random.nextInt(5)) {
			case 0 -> NODES.numberNode(random.nextInt());
			case 1 -> NODES.arrayNode().add("a").add(1);
			case 2 -> NODES.objectNode().put("unexpected", true);
			case 3 -> NODES.booleanNode(false);
			default -> NODES.textNode("\u0000\uFFFF\uD83D\uDE00");
		};
	}

	private String oddDate() {
		String[] dates = {"2026-13-45", "yesterday", "2026-02-30T25:61:00Z", "0000-00-00", "99999-01-01T00:00:00Z", "",
			"2026-03-05T08:00:00", "2026"};
		return dates[random.nextInt(dates.length)];
	}

	private String deepNesting(String json) {
		int depth = 50 + random.nextInt(3000);
		String open = "{\"a\":".repeat(depth);
		String close = "}".repeat(depth);
		return json.replaceFirst("\\{", "{\"extension\":" + open + "1" + close + ",");
	}

	/** The tree with one randomly chosen value (anywhere) replaced. */
	private JsonNode replaceRandom(JsonNode root, UnaryOperator<JsonNode> replacement) {
		List<Map.Entry<JsonNode, Object>> slots = new ArrayList<>();
		collect(root, slots);
		if (slots.isEmpty()) {
			return root;
		}
		Map.Entry<JsonNode, Object> slot = slots.get(random.nextInt(slots.size()));
		if (slot.getKey() instanceof ObjectNode object) {
			String field = (String) slot.getValue();
			object.set(field, replacement.apply(object.get(field)));
		} else if (slot.getKey() instanceof ArrayNode array) {
			int index = (Integer) slot.getValue();
			array.set(index, replacement.apply(array.get(index)));
		}
		return root;
	}

	private static void collect(JsonNode node, List<Map.Entry<JsonNode, Object>> slots) {
		if (node instanceof ObjectNode object) {
			for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
				String name = names.next();
				slots.add(Map.entry(object, name));
				collect(object.get(name), slots);
			}
		} else if (node instanceof ArrayNode array) {
			for (int i = 0; i < array.size(); i++) {
				slots.add(Map.entry(array, i));
				collect(array.get(i), slots);
			}
		}
	}

	private static String abbreviate(String text) {
		return text == null ? "" : text.length() > 300 ? text.substring(0, 300) + "..." : text;
	}
}
