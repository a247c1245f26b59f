package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.MutableClock;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** CDS Hooks feedback: stored durably, once per item, and counted per rule. */
@PostgresIntegrationTest
class FeedbackTests {

	@Autowired
	FhirContext fhirContext;

	@Autowired
	MutableClock clock;

	@LocalServerPort
	int port;

	FhirTestClient client;
	CdsHooksServiceTests fixtures;

	@BeforeEach
	void connect() {
		client = new FhirTestClient(fhirContext, port);
		clock.pin(CdsHooksServiceTests.NOW);
		fixtures = new CdsHooksServiceTests();
		fixtures.client = client;
	}

	@AfterEach
	void resetClock() {
		clock.reset();
	}

	@Test
	void acceptedAndOverriddenCardsAreCountedPerRuleWithTheirReasons() {
		JsonNode card = cardFor("fb1", 3100, "lactation-encounter-start");
		JsonNode otherCard = cardFor("fb2", 3250, "lactation-encounter-start");
		String suggestion = card.get("suggestions").get(0).get("uuid").asText();

		HttpResponse<String> posted = post("lactation-encounter-start", """
				{"feedback": [
				  {"card": "%s", "outcome": "accepted", "acceptedSuggestions": [{"id": "%s"}], "outcomeTimestamp": "2026-03-05T10:01:00Z"},
				  {"card": "%s", "outcome": "overridden", "overrideReason": {"reason": {"system": "http://example.org/reasons", "code": "seen-today", "display": "Seen today"}, "userComment": "weighed again"}, "outcomeTimestamp": "2026-03-05T10:02:00Z"}
				]}""".formatted(card.get("uuid").asText(), suggestion, otherCard.get("uuid").asText()));

		assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
		assertThat(CdsCall.read(posted.body()).get("stored").asInt()).isEqualTo(2);
		JsonNode summary = CdsCall.read(client.get("/cds-services/lactation-encounter-start/feedback/summary").body());
		JsonNode rule = summary.get("rules").get(0);
		assertThat(summary.get("rules")).hasSize(1);
		assertThat(rule.get("rule").asText()).isEqualTo("RF-INFANT-WEIGHT-LOSS");
		assertThat(rule.get("accepted").asInt()).isEqualTo(1);
		assertThat(rule.get("overridden").asInt()).isEqualTo(1);
		assertThat(rule.at("/overrideReasons/0/code").asText()).isEqualTo("seen-today");
	}

	@Test
	void resentFeedbackIsStoredOnce() {
		JsonNode card = cardFor("fb3", 3100, "lactation-encounter-discharge");
		String body = """
				{"feedback": [{"card": "%s", "outcome": "overridden", "overrideReason": {"userComment": "known"}, "outcomeTimestamp": "2026-03-05T10:03:00Z"}]}"""
				.formatted(card.get("uuid").asText());

		post("lactation-encounter-discharge", body);
		HttpResponse<String> again = post("lactation-encounter-discharge", body);

		assertThat(CdsCall.read(again.body()).get("stored").asInt()).isZero();
		JsonNode summary = CdsCall.read(client.get("/cds-services/lactation-encounter-discharge/feedback/summary").body());
		assertThat(summary.at("/rules/0/overridden").asInt()).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = {
		"{}",
		"{\"feedback\": {}}",
		"{\"feedback\": [{\"card\": \"not-a-uuid\", \"outcome\": \"accepted\", \"outcomeTimestamp\": \"2026-03-05T10:00:00Z\"}]}",
		"{\"feedback\": [{\"card\": \"0c7a5a3e-8f1a-4b0e-9d55-1a2b3c4d5e6f\", \"outcome\": \"ignored\", \"outcomeTimestamp\": \"2026-03-05T10:00:00Z\"}]}",
		"{\"feedback\": [{\"card\": \"0c7a5a3e-8f1a-4b0e-9d55-1a2b3c4d5e6f\", \"outcome\": \"accepted\", \"outcomeTimestamp\": \"2026-03-05T10:00:00Z\"}]}",
		"{\"feedback\": [{\"card\": \"0c7a5a3e-8f1a-4b0e-9d55-1a2b3c4d5e6f\", \"outcome\": \"overridden\", \"overrideReason\": {}, \"outcomeTimestamp\": \"2026-03-05T10:00:00Z\"}]}",
		"{\"feedback\": [{\"card\": \"0c7a5a3e-8f1a-4b0e-9d55-1a2b3c4d5e6f\", \"outcome\": \"overridden\", \"outcomeTimestamp\": \"yesterday\"}]}",
	})
	void invalidFeedbackAnswers400(String body) {
		HttpResponse<String> response = post("lactation-patient-view", body);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		assertThat(CdsCall.read(response.body()).get("message").asText()).isNotBlank();
	}

	@Test
	void feedbackOnCardsThisServerDidNotIssueAnswers400AndStoresNothing() {
		JsonNode card = cardFor("fb4", 3100, "lactation-encounter-start");
		java.util.UUID issued = java.util.UUID.fromString(card.get("uuid").asText());
		// same rule fingerprint and card identity, another tag: what a forger who saw one card could try
		java.util.UUID forged = new java.util.UUID(issued.getMostSignificantBits(), issued.getLeastSignificantBits() ^ 1L);
		JsonNode before = CdsCall.read(client.get("/cds-services/lactation-encounter-start/feedback/summary").body());
		String item = "{\"card\": \"%s\", \"outcome\": \"overridden\", \"overrideReason\": {\"userComment\": \"x\"}, "
				+ "\"outcomeTimestamp\": \"2026-03-05T11:%02d:00Z\"}";

		HttpResponse<String> forgedOne = post("lactation-encounter-start", "{\"feedback\": [" + item.formatted(issued, 0) + ","
				+ item.formatted(forged, 1) + "]}");
		StringBuilder bulk = new StringBuilder("{\"feedback\": [");
		for (int i = 0; i < 101; i++) {
			bulk.append(i == 0 ? "" : ",").append(item.formatted(issued, i % 60).replace("11:", i < 60 ? "12:" : "13:"));
		}
		HttpResponse<String> tooMany = post("lactation-encounter-start", bulk.append("]}").toString());

		assertThat(forgedOne.statusCode()).as(forgedOne.body()).isEqualTo(400);
		assertThat(CdsCall.read(forgedOne.body()).get("message").asText()).contains("feedback[1]");
		assertThat(tooMany.statusCode()).as(tooMany.body()).isEqualTo(400);
		assertThat(CdsCall.read(client.get("/cds-services/lactation-encounter-start/feedback/summary").body()))
				.as("nothing of either request stored").isEqualTo(before);
	}

	@Test
	void feedbackForAnUnknownServiceAnswers404() {
		assertThat(post("no-such-service", "{\"feedback\": []}").statusCode()).isEqualTo(404);
	}

	private JsonNode cardFor(String key, int grams, String service) {
		CdsHooksServiceTests.Dyad dyad = fixtures.storeDyad(key, grams);
		String hook = service.substring("lactation-".length());
		return CdsHooksServiceTests.onlyCard(CdsCall.of(hook, dyad.infant()).send(client, service));
	}

	private HttpResponse<String> post(String service, String body) {
		return client.post("/cds-services/" + service + "/feedback", "application/json", body);
	}
}
