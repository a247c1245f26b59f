package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.MutableClock;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The CDS Hooks 2.0 service as an EHR sees it: discovery, calls, errors, data fetching and CORS. */
@PostgresIntegrationTest
class CdsHooksServiceTests {

	static final Instant NOW = Instant.parse("2026-03-05T10:00:00Z");
	static final Instant BIRTH = Instant.parse("2026-03-01T08:00:00Z");
	static final Pattern TOKEN = Pattern.compile(
			"\\{\\{(context\\.[A-Za-z0-9_]+|userPractitionerId|userPractitionerRoleId|userPatientId|userRelatedPersonId)}}");

	@Autowired
	FhirContext fhirContext;

	@Autowired
	MutableClock clock;

	@LocalServerPort
	int port;

	FhirTestClient client;

	@BeforeEach
	void connect() {
		client = new FhirTestClient(fhirContext, port);
		clock.pin(NOW);
	}

	@AfterEach
	void resetClock() {
		clock.reset();
	}

	@Nested
	class Discovery {

		@Test
		void discoveryListsOneServiceForEachHookWithValidPrefetchTokens() {
			HttpResponse<String> response = client.get("/cds-services");

			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
			JsonNode services = CdsCall.read(response.body()).get("services");
			List<String> hooks = new ArrayList<>();
			for (JsonNode service : services) {
				hooks.add(service.get("hook").asText());
				assertThat(service.get("id").asText()).isEqualTo("lactation-" + service.get("hook").asText());
				assertThat(service.get("title").asText()).isNotBlank();
				assertThat(service.get("description").asText()).contains("Rules:");
				service.get("prefetch").fields().forEachRemaining(template -> {
					var tokens = Pattern.compile("\\{\\{[^}]*}}").matcher(template.getValue().asText());
					while (tokens.find()) {
						assertThat(tokens.group()).as("prefetch token in %s", template).matches(TOKEN);
					}
					assertThat(template.getValue().asText()).doesNotContain("_include", "_revinclude", ":missing");
				});
				CardChecks.assertNoEmptyValues(service, "service");
			}
			assertThat(hooks).containsExactlyInAnyOrder(
					"patient-view", "order-select", "order-sign", "encounter-start", "encounter-discharge");
		}

		@Test
		void orderServiceAnswersOnlyTheOrderRules() {
			JsonNode services = CdsCall.read(client.get("/cds-services").body()).get("services");
			for (JsonNode service : services) {
				if (service.get("hook").asText().startsWith("order-")) {
					assertThat(service.get("description").asText())
							.contains("ORD-MASSAGE-CONTRAINDICATED", "MED-LACTATION-SUPPRESSANT", "MED-GALACTOGOGUE")
							.doesNotContain("RF-MASTITIS");
				}
			}
		}
	}

	@Nested
	class Calls {

		@Test
		void patientViewOnTheMotherAlsoEvaluatesTheInfant() {
			Dyad dyad = storeDyad("pv1", 3100);

			HttpResponse<String> response = CdsCall.of("patient-view", dyad.mother()).send(client, "lactation-patient-view");

			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			JsonNode card = onlyCard(response);
			assertThat(card.at("/source/topic/code").asText()).isEqualTo("RF-INFANT-WEIGHT-LOSS");
			assertThat(card.get("indicator").asText()).isEqualTo("critical");
			assertThat(card.get("summary").asText()).isEqualTo(
					"Infant weight loss 11.4% of birth weight (>10%) on day 4: urgent feeding evaluation needed");
			assertThat(card.get("detail").asText())
					.contains("the infant (Patient/" + dyad.infant() + ")", "birth weight 3,500 g", "weight 3,100 g on 2026-03-05");
			assertThat(card.get("suggestions")).extracting(suggestion -> suggestion.get("label").asText())
					.contains("Refer to a lactation consultant (IBCLC)", "Same-day paediatric review");
			JsonNode referral = card.get("suggestions").get(0).get("actions").get(0);
			assertThat(referral.get("type").asText()).isEqualTo("create");
			assertThat(referral.at("/resource/resourceType").asText()).isEqualTo("ServiceRequest");
			assertThat(referral.at("/resource/status").asText()).isEqualTo("draft");
			assertThat(referral.at("/resource/subject/reference").asText()).isEqualTo("Patient/" + dyad.infant());
			assertThat(referral.at("/resource").has("id")).isFalse();
		}

		/**
		 * As the EHR receives it, a patient-view card links to the clinic app's dyad view of the patient in context
		 * (only the id in the URL) after its guideline links; no SMART launch is configured here, so the link is absolute.
		 */
		@Test
		void patientViewCardLinksToTheDyadViewAfterItsSourceLinks() {
			Dyad dyad = storeDyad("pv4", 3100);

			JsonNode card = onlyCard(CdsCall.of("patient-view", dyad.mother()).send(client, "lactation-patient-view"));

			JsonNode links = card.get("links");
			assertThat(links.size()).as("the guideline links and the dyad view: %s", links).isGreaterThanOrEqualTo(2);
			JsonNode dyadView = links.get(links.size() - 1);
			assertThat(dyadView.get("type").asText()).isEqualTo("absolute");
			assertThat(dyadView.get("url").asText()).isEqualTo(client.baseUrl() + "/app/dyad.html?patient=" + dyad.mother());
			assertThat(dyadView.get("label").asText()).contains("dyad view");
			assertThat(dyadView.has("appContext")).isFalse();
			for (int i = 0; i < links.size() - 1; i++) {
				assertThat(links.get(i).get("url").asText()).as("a guideline link").startsWith("http").doesNotContain("/app/");
			}
			assertThat(card.at("/source/url").asText()).startsWith("http");
		}

		@Test
		void onlyPatientViewCardsLinkToTheDyadView() {
			Dyad dyad = storeDyad("pv5", 3100);

			JsonNode card = onlyCard(CdsCall.of("encounter-discharge", dyad.infant()).send(client, "lactation-encounter-discharge"));

			for (JsonNode link : card.path("links")) {
				assertThat(link.get("url").asText()).doesNotContain("/app/dyad.html");
			}
		}

		@Test
		void warningLossOffersNoSameDayPaediatricReview() {
			Dyad dyad = storeDyad("pv2", 3250);

			JsonNode card = onlyCard(CdsCall.of("patient-view", dyad.infant()).send(client, "lactation-patient-view"));

			assertThat(card.get("indicator").asText()).isEqualTo("warning");
			assertThat(card.get("suggestions")).extracting(suggestion -> suggestion.get("label").asText())
					.doesNotContain("Same-day paediatric review");
		}

		@Test
		void sameRuleAndEvidenceGiveTheSameCardUuidAndOtherEvidenceAnother() {
			Dyad dyad = storeDyad("pv3", 3100);
			String first = onlyCard(CdsCall.of("patient-view", dyad.infant()).send(client, "lactation-patient-view")).get("uuid").asText();
			String again = onlyCard(CdsCall.of("patient-view", dyad.infant()).send(client, "lactation-patient-view")).get("uuid").asText();
			client.fhir().update().resource(weight(dyad.infant(), "pv3-w", 3050)).execute();
			String changed = onlyCard(CdsCall.of("patient-view", dyad.infant()).send(client, "lactation-patient-view")).get("uuid").asText();

			assertThat(again).isEqualTo(first);
			assertThat(changed).isNotEqualTo(first);
		}

		@Test
		void encounterDischargeDetailAddsTheFirstOfficeVisit() {
			Dyad dyad = storeDyad("dc1", 3220);

			JsonNode card = onlyCard(CdsCall.of("encounter-discharge", dyad.infant()).send(client, "lactation-encounter-discharge"));

			assertThat(card.get("detail").asText()).contains("**Before discharge:** arrange the first office visit at 3–5 days");
		}

		@Test
		void orderSignWithADecongestantOffersToDeleteTheDraftAndNamesOverrideReasons() {
			Dyad dyad = storeDyad("os1", 3400);
			MedicationRequest draft = pseudoephedrine("os1-draft", dyad.mother());
			Bundle orders = new Bundle().setType(Bundle.BundleType.COLLECTION);
			orders.addEntry().setResource(draft);

			HttpResponse<String> response = CdsCall.of("order-sign", dyad.mother()).draftOrders(orders)
					.send(client, "lactation-order-sign");

			JsonNode card = onlyCard(response);
			assertThat(card.at("/source/topic/code").asText()).isEqualTo("MED-LACTATION-SUPPRESSANT");
			assertThat(card.get("indicator").asText()).isEqualTo("warning");
			assertThat(card.get("summary").asText()).startsWith("Pseudoephedrine may reduce milk supply in a lactating mother");
			JsonNode delete = card.get("suggestions").get(0).get("actions").get(0);
			assertThat(delete.get("type").asText()).isEqualTo("delete");
			assertThat(delete.get("resourceId").asText()).isEqualTo("MedicationRequest/os1-draft");
			assertThat(card.get("overrideReasons")).extracting(reason -> reason.get("display").asText())
					.containsExactly("Benefit outweighs risk", "Patient not breastfeeding", "Dose already minimised");
		}

		@Test
		void orderSelectAdvisesOnTheSelectedOrdersOnly() {
			Dyad dyad = storeDyad("sel1", 3400);
			Bundle orders = new Bundle().setType(Bundle.BundleType.COLLECTION);
			orders.addEntry().setResource(pseudoephedrine("sel1-decongestant", dyad.mother()));
			orders.addEntry().setResource(new MedicationRequest()
					.setStatus(MedicationRequest.MedicationRequestStatus.DRAFT)
					.setIntent(MedicationRequest.MedicationRequestIntent.ORDER)
					.setMedication(new CodeableConcept(new Coding("http://www.nlm.nih.gov/research/umls/rxnorm", "161", "acetaminophen")))
					.setSubject(new Reference("Patient/" + dyad.mother()))
					.setId("sel1-paracetamol"));

			JsonNode selectedOther = CdsCall.read(CdsCall.of("order-select", dyad.mother()).draftOrders(orders)
					.selections(List.of("MedicationRequest/sel1-paracetamol")).send(client, "lactation-order-select").body());
			JsonNode selectedDecongestant = CdsCall.read(CdsCall.of("order-select", dyad.mother()).draftOrders(orders)
					.selections(List.of("MedicationRequest/sel1-decongestant")).send(client, "lactation-order-select").body());

			assertThat(selectedOther.get("cards")).isEmpty();
			assertThat(CardChecks.rulesAndIndicators(selectedDecongestant)).containsExactly("MED-LACTATION-SUPPRESSANT/warning");
		}

		@Test
		void relactationOfferSuggestsTheCarePlanOfTheProtocolForTheMother() {
			Dyad dyad = storeDyad("rl1", 5000, Instant.parse("2026-01-10T08:00:00Z"));
			client.fhir().update().resource(coded(dyad.mother(), "rl1-bf", "http://loinc.org", "63895-7",
					new CodeableConcept(new Coding("http://loinc.org", "LA29253-4", "Not breastfeeding")), "2026-03-01T09:00:00Z")).execute();
			Observation intent = coded(dyad.mother(), "rl1-intent", "http://lactation-cds.org/fhir/CodeSystem/lactation-obs",
					"relactation-intent", null, "2026-03-04T09:00:00Z");
			intent.setValue(new org.hl7.fhir.r4.model.BooleanType(true));
			client.fhir().update().resource(intent).execute();

			JsonNode card = onlyCard(CdsCall.of("patient-view", dyad.mother()).send(client, "lactation-patient-view"));

			assertThat(card.at("/source/topic/code").asText()).isEqualTo("RELACT-PROTOCOL");
			JsonNode carePlan = card.get("suggestions").get(0).get("actions").get(0).get("resource");
			assertThat(carePlan.get("resourceType").asText()).isEqualTo("CarePlan");
			assertThat(carePlan.get("status").asText()).isEqualTo("draft");
			assertThat(carePlan.at("/subject/reference").asText()).isEqualTo("Patient/" + dyad.mother());
			assertThat(carePlan.at("/supportingInfo/0/reference").asText()).isEqualTo("Patient/" + dyad.infant());
			assertThat(carePlan.get("activity")).hasSize(10);
			assertThat(carePlan.at("/instantiatesCanonical/0").asText())
					.isEqualTo("http://lactation-cds.org/fhir/PlanDefinition/relactation-protocol|1.0.0");
		}

		@Test
		void patientWithoutAnyDataGetsAnEmptyCardList() {
			client.fhir().update().resource(new Patient().setId("lonely")).execute();

			HttpResponse<String> response = CdsCall.of("patient-view", "lonely").send(client, "lactation-patient-view");

			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("{\"cards\":[]}");
		}
	}

	@Nested
	class Prefetch {

		@Test
		void prefetchedDataIsUsedInsteadOfTheStore() {
			Dyad dyad = storeDyad("pf1", 3400);

			HttpResponse<String> response = CdsCall.of("patient-view", dyad.infant())
					.prefetch("obs", searchset(new Observation[] {birthWeight(dyad.infant(), "pf1-bw"), weight(dyad.infant(), "pf1-w", 3100)}))
					.send(client, "lactation-patient-view");

			assertThat(onlyCard(response).get("indicator").asText()).isEqualTo("critical");
		}

		@Test
		void prefetchKeySentAsNullMeansNoDataAndIsNotFetched() {
			Dyad dyad = storeDyad("pf2", 3100);

			HttpResponse<String> response = CdsCall.of("patient-view", dyad.infant()).prefetch("obs", null)
					.send(client, "lactation-patient-view");

			assertThat(CdsCall.read(response.body()).get("cards")).isEmpty();
		}

		@Test
		void prefetchKeyWithAnOperationOutcomeIsFetchedInstead() {
			Dyad dyad = storeDyad("pf3", 3100);
			OperationOutcome failed = new OperationOutcome();
			failed.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(OperationOutcome.IssueType.TIMEOUT);

			HttpResponse<String> response = CdsCall.of("patient-view", dyad.infant()).prefetch("obs", failed)
					.send(client, "lactation-patient-view");

			assertThat(onlyCard(response).get("indicator").asText()).isEqualTo("critical");
		}

		@Test
		void unknownPatientAnswers412WithAJsonReason() {
			HttpResponse<String> response = CdsCall.of("patient-view", "nobody-here").send(client, "lactation-patient-view");

			assertThat(response.statusCode()).isEqualTo(412);
			assertThat(CdsCall.read(response.body()).get("message").asText()).contains("Patient/nobody-here");
		}

		@Test
		void missingPrefetchIsFetchedFromTheNamedFhirServerWithItsBearerToken() throws Exception {
			List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
			List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
			com.sun.net.httpserver.HttpServer ehr = com.sun.net.httpserver.HttpServer.create(
					new java.net.InetSocketAddress("127.0.0.1", 0), 0);
			ehr.createContext("/", exchange -> {
				String target = exchange.getRequestURI().toString();
				requests.add(target);
				authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
				Resource answer = target.equals("/r4/Patient/ehr-1")
						? new Patient().setId("ehr-1")
						: target.startsWith("/r4/Observation?") ? searchset(new Observation[] {
								birthWeight("ehr-1", "e-bw"), weight("ehr-1", "e-w", 3100)}) : new Bundle().setType(Bundle.BundleType.SEARCHSET);
				byte[] body = fhirContext.newJsonParser().encodeResourceToString(answer).getBytes(java.nio.charset.StandardCharsets.UTF_8);
				exchange.sendResponseHeaders(200, body.length);
				exchange.getResponseBody().write(body);
				exchange.close();
			});
			ehr.start();
			try {
				String base = "http://127.0.0.1:" + ehr.getAddress().getPort() + "/r4";
				HttpResponse<String> response = CdsCall.of("patient-view", "ehr-1")
						.prefetch("patient", new Patient().setId("ehr-1"))
						.fhirServer(base, "ehr-token-1")
						.send(client, "lactation-patient-view");

				assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
				assertThat(requests).contains("/r4/Observation?patient=ehr-1&_sort=-date&_count=200", "/r4/RelatedPerson?patient=ehr-1")
						.doesNotContain("/r4/Patient/ehr-1");
				assertThat(authorizations).containsOnly("Bearer ehr-token-1");
			} finally {
				ehr.stop(0);
			}
		}

		@Test
		void unreachableFhirServerAnswers412() {
			Dyad dyad = storeDyad("pf4", 3100);

			HttpResponse<String> response = CdsCall.of("patient-view", dyad.infant())
					.fhirServer("http://127.0.0.1:9/fhir", "secret-token")
					.send(client, "lactation-patient-view");

			assertThat(response.statusCode()).isEqualTo(412);
			assertThat(response.body()).doesNotContain("secret-token");
		}
	}

	@Nested
	class BadRequests {

		@ParameterizedTest
		@ValueSource(strings = {
			"",
			"not json",
			"[]",
			"{\"hook\":\"patient-view\",\"context\":{\"userId\":\"Practitioner/1\",\"patientId\":\"x\"}}",
			"{\"hookInstance\":\"not-a-uuid\",\"hook\":\"patient-view\",\"context\":{\"userId\":\"Practitioner/1\",\"patientId\":\"x\"}}",
			"{\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\",\"hook\":\"order-sign\",\"context\":{\"userId\":\"Practitioner/1\",\"patientId\":\"x\"}}",
			"{\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\",\"hook\":\"patient-view\"}",
			"{\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\",\"hook\":\"patient-view\",\"context\":{\"userId\":\"Practitioner/1\"}}",
			"{\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\",\"hook\":\"patient-view\",\"context\":{\"userId\":\"Practitioner/1\",\"patientId\":\"Patient/x\"}}",
			"{\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\",\"hook\":\"patient-view\",\"context\":{\"userId\":\"1\",\"patientId\":\"x\"}}",
			"{\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\",\"hook\":\"patient-view\",\"context\":{\"userId\":\"Practitioner/1\",\"patientId\":\"x\"},\"fhirAuthorization\":{\"access_token\":\"t\",\"token_type\":\"Bearer\"}}",
			"{\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\",\"hook\":\"patient-view\",\"context\":{\"userId\":\"Practitioner/1\",\"patientId\":\"x\"},\"fhirServer\":\"ftp://x\"}",
			"{\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\",\"hook\":\"patient-view\",\"context\":{\"userId\":\"Practitioner/1\",\"patientId\":\"x\"},\"prefetch\":{\"obs\":\"text\"}}",
			"{\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\",\"hook\":\"patient-view\",\"context\":{\"userId\":\"Practitioner/1\",\"patientId\":\"x\"},\"prefetch\":{\"obs\":{\"resourceType\":\"Nope\"}}}",
		})
		void malformedRequestAnswers400WithAJsonMessage(String body) {
			HttpResponse<String> response = client.post("/cds-services/lactation-patient-view", "application/json", body);

			assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
			JsonNode error = CdsCall.read(response.body());
			assertThat(error.get("message").asText()).isNotBlank();
		}

		@Test
		void encounterStartWithoutEncounterIdAnswers400NamingTheField() {
			ObjectNode body = CdsCall.of("encounter-start", "x").body();
			((ObjectNode) body.get("context")).remove("encounterId");

			HttpResponse<String> response = client.post("/cds-services/lactation-encounter-start", "application/json", body.toString());

			assertThat(response.statusCode()).isEqualTo(400);
			assertThat(response.body()).contains("context.encounterId");
		}

		@Test
		void orderSelectWithASelectionOutsideTheDraftOrdersAnswers400() {
			Bundle orders = new Bundle().setType(Bundle.BundleType.COLLECTION);
			orders.addEntry().setResource(pseudoephedrine("bad-sel", "x"));

			HttpResponse<String> response = CdsCall.of("order-select", "x").draftOrders(orders)
					.selections(List.of("MedicationRequest/other")).send(client, "lactation-order-select");

			assertThat(response.statusCode()).isEqualTo(400);
			assertThat(response.body()).contains("selections");
		}

		@Test
		void unknownExtensionMemberIsAccepted() {
			Dyad dyad = storeDyad("ext1", 3400);
			ObjectNode body = CdsCall.of("patient-view", dyad.infant()).body();
			body.putObject("extension").put("org.example.trace", "abc");

			HttpResponse<String> response = client.post("/cds-services/lactation-patient-view", "application/json", body.toString());

			assertThat(response.statusCode()).isEqualTo(200);
		}

		@Test
		void bodyOverTheSizeCapAnswers413() {
			HttpResponse<String> response = client.post("/cds-services/lactation-patient-view", "application/json",
					"{\"pad\": \"" + "x".repeat(17 * 1024 * 1024) + "\"}");

			assertThat(response.statusCode()).isEqualTo(413);
			assertThat(response.body()).contains("Payload Too Large");
		}

		@Test
		void prefetchNestedTooDeepAnswers400() {
			String deep = "{\"a\":".repeat(500) + "1" + "}".repeat(500);
			String body = CdsCall.of("patient-view", "x").body().toString().replaceFirst("\\{", "{\"extension\":" + deep + ",");

			HttpResponse<String> response = client.post("/cds-services/lactation-patient-view", "application/json", body);

			assertThat(response.statusCode()).isEqualTo(400);
		}

		@Test
		void unknownServiceAnswers404() {
			HttpResponse<String> response = CdsCall.of("patient-view", "x").send(client, "no-such-service");

			assertThat(response.statusCode()).isEqualTo(404);
			assertThat(CdsCall.read(response.body()).get("message").asText()).contains("no-such-service");
		}

		@Test
		void getOnAServiceAnswers405() {
			assertThat(client.get("/cds-services/lactation-patient-view").statusCode()).isEqualTo(405);
		}
	}

	@Nested
	class Cors {

		@Test
		void preflightFromAnAllowedOriginIsAnswered() {
			HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri("/cds-services/lactation-patient-view"))
					.method("OPTIONS", HttpRequest.BodyPublishers.noBody())
					.header("Origin", "https://sandbox.cds-hooks.org")
					.header("Access-Control-Request-Method", "POST")
					.header("Access-Control-Request-Headers", "authorization, content-type"));

			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://sandbox.cds-hooks.org");
			assertThat(response.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
			assertThat(response.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
					.contains("authorization", "content-type");
		}

		@Test
		void postFromAnAllowedOriginCarriesTheCorsHeader() {
			Dyad dyad = storeDyad("cors1", 3400);
			HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri("/cds-services/lactation-patient-view"))
					.header("Origin", "https://sandbox.cds-hooks.org")
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString(CdsCall.of("patient-view", dyad.infant()).body().toString())));

			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://sandbox.cds-hooks.org");
		}

		@Test
		void preflightFromAnotherOriginIsRefused() {
			HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri("/cds-services"))
					.method("OPTIONS", HttpRequest.BodyPublishers.noBody())
					.header("Origin", "https://evil.example")
					.header("Access-Control-Request-Method", "GET"));

			assertThat(response.statusCode()).isEqualTo(403);
			assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		}
	}

	// ---------------------------------------------------------------- fixtures

	record Dyad(String mother, String infant) {}

	Dyad storeDyad(String key, int latestGrams) {
		return storeDyad(key, latestGrams, BIRTH);
	}

	/** A breastfeeding mother and her infant (birth weight 3500 g), the infant weighed an hour before NOW. */
	Dyad storeDyad(String key, int latestGrams, Instant birth) {
		Patient infant = new Patient();
		infant.setId(key + "-inf");
		DateType birthDate = new DateType(birth.toString().substring(0, 10));
		birthDate.addExtension("http://hl7.org/fhir/StructureDefinition/patient-birthTime", new DateTimeType(birth.toString()));
		infant.setBirthDateElement(birthDate);
		RelatedPerson link = new RelatedPerson();
		link.setId(key + "-rp");
		link.setPatient(new Reference("Patient/" + key + "-inf"));
		link.addRelationship(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother")));
		Patient mother = new Patient();
		mother.setId(key + "-mom");
		mother.addLink().setOther(new Reference("RelatedPerson/" + key + "-rp")).setType(Patient.LinkType.SEEALSO);
		Observation birthWeight = birthWeight(key + "-inf", key + "-bw");
		birthWeight.setEffective(new DateTimeType(birth.toString()));
		Observation breastfeeding = coded(key + "-mom", key + "-bf", "http://loinc.org", "63895-7",
				new CodeableConcept(new Coding("http://loinc.org", "LA29252-6", "Breastfeeding")), NOW.minus(Duration.ofHours(3)).toString());
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource resource : List.of(infant, link, mother, birthWeight, weight(key + "-inf", key + "-w", latestGrams), breastfeeding)) {
			transaction.addEntry().setFullUrl(client.baseUrl() + "/fhir/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart())
					.setResource(resource).getRequest().setMethod(Bundle.HTTPVerb.PUT)
					.setUrl(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
		}
		client.fhir().transaction().withBundle(transaction).execute();
		return new Dyad(key + "-mom", key + "-inf");
	}

	static Observation birthWeight(String infant, String id) {
		Observation observation = grams(infant, id, "8339-4", 3500);
		observation.setEffective(new DateTimeType(BIRTH.toString()));
		return observation;
	}

	static Observation weight(String infant, String id, int grams) {
		Observation observation = grams(infant, id, "29463-7", grams);
		observation.setEffective(new DateTimeType(NOW.minus(Duration.ofHours(1)).toString()));
		return observation;
	}

	private static Observation grams(String infant, String id, String loinc, int grams) {
		Observation observation = new Observation();
		observation.setId(id);
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.setCode(new CodeableConcept(new Coding("http://loinc.org", loinc, null)));
		observation.setSubject(new Reference("Patient/" + infant));
		observation.setValue(new Quantity().setValue(new BigDecimal(grams)).setSystem("http://unitsofmeasure.org").setCode("g").setUnit("g"));
		return observation;
	}

	static Observation coded(String patient, String id, String system, String code, CodeableConcept value, String when) {
		Observation observation = new Observation();
		observation.setId(id);
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.setCode(new CodeableConcept(new Coding(system, code, null)));
		observation.setSubject(new Reference("Patient/" + patient));
		observation.setEffective(new DateTimeType(when));
		if (value != null) {
			observation.setValue(value);
		}
		return observation;
	}

	static MedicationRequest pseudoephedrine(String id, String mother) {
		MedicationRequest order = new MedicationRequest();
		order.setId(id);
		order.setSubject(new Reference("Patient/" + mother));
		order.setStatus(MedicationRequest.MedicationRequestStatus.DRAFT);
		order.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
		// A bare code, as some EHRs send: the card names the drug from the knowledge's value set.
		order.setMedication(new CodeableConcept(new Coding("http://www.nlm.nih.gov/research/umls/rxnorm", "8896", null)));
		var dosage = order.addDosageInstruction();
		dosage.getTiming().getRepeat().setFrequency(1).setPeriod(6).setPeriodUnit(org.hl7.fhir.r4.model.Timing.UnitsOfTime.H);
		dosage.addDoseAndRate().setDose(new Quantity().setValue(60).setSystem("http://unitsofmeasure.org").setCode("mg").setUnit("mg"));
		return order;
	}

	static Bundle searchset(Resource[] resources) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		for (Resource resource : resources) {
			bundle.addEntry().setResource(resource);
		}
		return bundle;
	}

	static JsonNode onlyCard(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode cards = CdsCall.read(response.body()).get("cards");
		assertThat(cards).as(response.body()).hasSize(1);
		CardChecks.assertWellFormed(cards.get(0));
		return cards.get(0);
	}
}
