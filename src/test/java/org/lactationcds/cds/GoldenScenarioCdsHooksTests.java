package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lactationcds.evaluation.DyadFixture;
import org.lactationcds.evaluation.GoldenScenario;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.MutableClock;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The golden scenarios of clinical-rules.md section 3 end to end over HTTP: each once with the data only in the
 * store (no prefetch: the service fetches it) and once with the patient's data as prefetch (the store then holds only
 * the dyad partner and the link). Every response has exactly the expected cards, each well formed.
 */
@PostgresIntegrationTest
class GoldenScenarioCdsHooksTests {

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
	}

	@AfterEach
	void resetClock() {
		clock.reset();
	}

	/** The golden scenarios and those beyond the golden set (EX-*), whose card details are asserted only here. */
	static List<GoldenScenario> scenarios() {
		return java.util.stream.Stream.concat(GoldenScenario.all().stream(), GoldenScenario.extra().stream()).toList();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void callWithoutPrefetchGivesExactlyTheExpectedCards(GoldenScenario scenario) {
		DyadFixture dyad = DyadFixture.forScenario(scenario, "-s");
		store(resources(dyad, resource -> !isDraftOrder(resource)));
		CdsCall call = call(scenario, dyad);

		assertCards(scenario, dyad, call);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void callWithPrefetchGivesExactlyTheExpectedCards(GoldenScenario scenario) {
		DyadFixture dyad = DyadFixture.forScenario(scenario, "-p");
		String patient = patientInContext(scenario, dyad);
		// The store holds the partner, the link and the patient's own Patient (the link points at it); the patient's
		// data reaches the service only as prefetch.
		store(resources(dyad, resource -> !isDraftOrder(resource)
				&& (resource instanceof Patient || resource instanceof RelatedPerson || !belongsTo(resource, patient))));
		CdsCall call = call(scenario, dyad);
		List<Resource> own = resources(dyad, resource -> !isDraftOrder(resource) && belongsTo(resource, patient));
		call.prefetch("patient", own.stream().filter(Patient.class::isInstance).findFirst().orElseThrow());
		call.prefetch("related", searchset(own, RelatedPerson.class::isInstance));
		call.prefetch("obs", searchset(own, resource -> resource.fhirType().equals("Observation")));
		call.prefetch("cond", searchset(own, resource -> resource.fhirType().equals("Condition")));
		call.prefetch("careplans", searchset(own, resource -> resource instanceof CarePlan plan
				&& plan.getStatus() == CarePlan.CarePlanStatus.ACTIVE));
		call.prefetch("procs", searchset(own, resource -> resource.fhirType().equals("Procedure")));
		call.prefetch("referrals", searchset(own, resource -> resource instanceof ServiceRequest request
				&& (request.getStatus() == ServiceRequest.ServiceRequestStatus.ACTIVE
						|| request.getStatus() == ServiceRequest.ServiceRequestStatus.COMPLETED)));
		call.prefetch("encounters", searchset(own, resource -> resource instanceof Encounter encounter
				&& encounter.getStatus() == Encounter.EncounterStatus.FINISHED));
		call.prefetch("goals", searchset(own, resource -> resource.fhirType().equals("Goal")));
		call.prefetch("meds", searchset(own, resource -> resource instanceof MedicationRequest order
				&& order.getStatus() == MedicationRequest.MedicationRequestStatus.ACTIVE));
		call.prefetch("medstatements", searchset(own, resource -> resource instanceof MedicationStatement statement
				&& statement.getStatus() == MedicationStatement.MedicationStatementStatus.ACTIVE));

		assertCards(scenario, dyad, call);
	}

	private void assertCards(GoldenScenario scenario, DyadFixture dyad, CdsCall call) {
		clock.pin(DyadFixture.day(scenario.evalAtDay()));
		HttpResponse<String> response = call.send(client, "lactation-" + scenario.hook());

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode answer = CdsCall.read(response.body());
		assertThat(CardChecks.rulesAndIndicators(answer))
				.as("cards of %s", scenario)
				.isEqualTo(scenario.expected());
		// Whose data fired each card: the infant's rules name the infant, every other rule the mother, unless the
		// scenario says whose it is (DATA-QUALITY lists the unusable data of the patient it was recorded for).
		for (JsonNode card : answer.get("cards")) {
			String rule = card.at("/source/topic/code").asText();
			String said = scenario.expectedCards().stream()
					.filter(expected -> expected.card().startsWith(rule + "/") && expected.subject() != null)
					.map(GoldenScenario.ExpectedCard::subject).findFirst().orElse(null);
			boolean infant = said != null ? said.equals("infant") : rule.startsWith("RF-INFANT-");
			assertThat(CardChecks.subject(card)).as("subject of %s in %s", rule, scenario)
					.isEqualTo(infant ? dyad.infantId() : dyad.motherId());
		}
		// What each card says, where the scenario spells it out.
		for (GoldenScenario.ExpectedCard expected : scenario.expectedCards()) {
			if (expected.saysWhatItShows()) {
				assertSays(scenario, dyad, expected, answer);
			}
		}
	}

	private static void assertSays(GoldenScenario scenario, DyadFixture dyad, GoldenScenario.ExpectedCard expected, JsonNode answer) {
		JsonNode card = null;
		for (JsonNode candidate : answer.get("cards")) {
			if (expected.card().equals(candidate.at("/source/topic/code").asText() + "/" + candidate.get("indicator").asText())) {
				card = candidate;
			}
		}
		assertThat(card).as("card %s in %s", expected.card(), scenario).isNotNull();
		String what = expected.card() + " in " + scenario;
		if (expected.subject() != null) {
			assertThat(CardChecks.subject(card)).as("subject of %s", what)
					.isEqualTo(switch (expected.subject()) {
						case "infant" -> dyad.infantId();
						case "mother" -> dyad.motherId();
						default -> throw new IllegalArgumentException("subject " + expected.subject() + " of " + what);
					});
		}
		if (expected.summary() != null) {
			assertThat(card.path("summary").asText()).as("summary of %s", what).isEqualTo(expected.summary());
		}
		String detail = card.path("detail").asText();
		for (String evidence : expected.evidence()) {
			assertThat(detail).as("evidence of %s", what).contains(evidence);
		}
		if (expected.suggestions() != null) {
			assertThat(CardChecks.suggestedActions(card)).as("suggestions of %s", what)
					.hasSameSizeAs(expected.suggestions());
			List<GoldenScenario.Suggestion> offered = CardChecks.suggestedActions(card);
			for (int i = 0; i < offered.size(); i++) {
				GoldenScenario.Suggestion want = expected.suggestions().get(i);
				GoldenScenario.Suggestion got = offered.get(i);
				assertThat(got.type() + " " + got.resourceType()).as("suggestion %d of %s", i + 1, what)
						.isEqualTo(want.type() + " " + want.resourceType());
				if (want.code() != null) {
					assertThat(got.code()).as("code of suggestion %d of %s", i + 1, what).isEqualTo(want.code());
				}
				if (want.priority() != null) {
					assertThat(got.priority()).as("priority of suggestion %d of %s", i + 1, what).isEqualTo(want.priority());
				}
				if (want.occurrenceWithin() != null) {
					assertThat(got.occurrenceWithin()).as("occurrencePeriod of suggestion %d of %s", i + 1, what)
							.isEqualTo(want.occurrenceWithin());
				}
			}
		}
		if (expected.source() != null) {
			assertThat(card.at("/source/label").asText()).as("source of %s", what).contains(expected.source());
		}
	}

	private static CdsCall call(GoldenScenario scenario, DyadFixture dyad) {
		CdsCall call = CdsCall.of(scenario.hook(), bareId(patientInContext(scenario, dyad)));
		if (scenario.hook().startsWith("order-")) {
			List<Resource> drafts = resources(dyad, GoldenScenarioCdsHooksTests::isDraftOrder);
			Bundle orders = new Bundle().setType(Bundle.BundleType.COLLECTION);
			drafts.forEach(draft -> orders.addEntry().setResource(draft));
			call.draftOrders(orders);
			if (scenario.hook().equals("order-select")) {
				call.selections(drafts.stream()
						.map(draft -> draft.fhirType() + "/" + draft.getIdElement().getIdPart())
						.filter(reference -> !dyad.unselected().contains(reference))
						.toList());
			}
		}
		return call;
	}

	private static String patientInContext(GoldenScenario scenario, DyadFixture dyad) {
		return scenario.context().startsWith("inf") ? dyad.infantId() : dyad.motherId();
	}

	private static String bareId(String reference) {
		return reference.substring(reference.indexOf('/') + 1);
	}

	private void store(List<Resource> resources) {
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource resource : resources) {
			String reference = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
			transaction.addEntry()
					.setFullUrl(client.baseUrl() + "/fhir/" + reference)
					.setResource(resource)
					.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(reference);
		}
		HttpResponse<String> response = client.post("/fhir", "application/fhir+json",
				fhirContext.newJsonParser().encodeResourceToString(transaction));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
	}

	private static List<Resource> resources(DyadFixture dyad, Predicate<Resource> which) {
		List<Resource> resources = new ArrayList<>();
		for (Bundle.BundleEntryComponent entry : dyad.bundle().getEntry()) {
			if (which.test(entry.getResource())) {
				resources.add(entry.getResource().copy());
			}
		}
		return resources;
	}

	private static Bundle searchset(List<Resource> resources, Predicate<Resource> which) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		resources.stream().filter(which).forEach(resource -> bundle.addEntry().setResource(resource));
		bundle.setTotal(bundle.getEntry().size());
		return bundle;
	}

	static boolean isDraftOrder(Resource resource) {
		return (resource instanceof MedicationRequest order && order.getStatus() == MedicationRequest.MedicationRequestStatus.DRAFT)
				|| (resource instanceof ServiceRequest request && request.getStatus() == ServiceRequest.ServiceRequestStatus.DRAFT)
				|| (resource instanceof CarePlan plan && plan.getStatus() == CarePlan.CarePlanStatus.DRAFT);
	}

	/** Is this the patient's own resource (the Patient itself, or one whose subject/patient is the patient)? */
	private static boolean belongsTo(Resource resource, String patient) {
		if (resource instanceof Patient) {
			return resource.fhirType().concat("/").concat(resource.getIdElement().getIdPart()).equals(patient);
		}
		if (resource instanceof RelatedPerson related) {
			return patient.equals(related.getPatient().getReference());
		}
		Object subject = resource.getNamedProperty("subject") == null ? null : resource.getNamedProperty("subject").getValues();
		return subject instanceof List<?> values && !values.isEmpty() && values.get(0) instanceof Reference reference
				&& patient.equals(reference.getReference());
	}
}
