package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.MutableClock;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * FHIR {@code $apply} and the CDS Hooks {@code patient-view} service give the same results for the same patient and
 * stored data (issue #16 item 4): the same rules for the same patients, read as a user reads them (a card's rule and
 * the patient its detail names; a CarePlan activity's rule and the patient it names). The dyad is a mother and twins
 * (clinical-rules.md 5.4): on the mother every member is evaluated, on one twin that twin and the mother only.
 */
@PostgresIntegrationTest
class ApplyMatchesCdsHooksTests {

	/** The PlanDefinitions patient-view applies: the red flags (the relactation protocol only as a card's suggestion). */
	static final List<String> PATIENT_VIEW_PLANS = List.of("lactation-red-flags");
	static final String ACTIVITY_SUBJECT = "http://lactation-cds.org/fhir/StructureDefinition/activity-subject";

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
		clock.pin(CdsHooksServiceTests.NOW);
	}

	@AfterEach
	void resetClock() {
		clock.reset();
	}

	@Test
	void applyOnTheMotherAnswersTheRulesAndPatientsThatPatientViewShowsForHer() {
		Twins twins = storeTwins("parity-m");

		Set<String> cds = patientView(twins.mother());
		Set<String> apply = applied(twins.mother());

		assertThat(cds).contains(
				"PSYCH-SUPPORT Patient/" + twins.mother(),
				"RF-INFANT-WEIGHT-LOSS Patient/" + twins.first(),
				"RF-INFANT-WEIGHT-LOSS Patient/" + twins.second());
		assertThat(apply).isEqualTo(cds);
	}

	@Test
	void applyOnOneTwinAnswersThatTwinAndTheMotherAsPatientViewDoesAndNotTheOtherTwin() {
		Twins twins = storeTwins("parity-t");

		Set<String> cds = patientView(twins.first());
		Set<String> apply = applied(twins.first());

		assertThat(cds).contains("PSYCH-SUPPORT Patient/" + twins.mother(), "RF-INFANT-WEIGHT-LOSS Patient/" + twins.first())
				.noneMatch(result -> result.endsWith("Patient/" + twins.second()));
		assertThat(apply).isEqualTo(cds);
	}

	/** "RULE Patient/id" of every card patient-view answers (the data-access card names no rule and is left out). */
	Set<String> patientView(String patient) {
		HttpResponse<String> response = CdsCall.of("patient-view", patient).send(client, "lactation-patient-view");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Set<String> results = new TreeSet<>();
		for (JsonNode card : CdsCall.read(response.body()).get("cards")) {
			String rule = card.at("/source/topic/code").asText();
			if (!rule.equals(CdsServiceInvoker.DATA_UNAVAILABLE)) {
				results.add(rule + " " + CardChecks.subject(card));
			}
		}
		return results;
	}

	/**
	 * "RULE Patient/id" of every fired rule in the CarePlans {@code $apply} answers: an activity whose detail carries
	 * the rule code, for the patient the activity names (else the CarePlan's subject).
	 */
	Set<String> applied(String patient) {
		Set<String> results = new TreeSet<>();
		for (String plan : PATIENT_VIEW_PLANS) {
			HttpResponse<String> response = client.get("/fhir/PlanDefinition/" + plan + "/$apply?subject=Patient/" + patient);
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			CarePlan carePlan = fhirContext.newJsonParser().parseResource(CarePlan.class, response.body());
			// One CarePlan for the dyad: each contained request once, and every activity's reference resolves in it.
			List<String> contained = carePlan.getContained().stream()
					.map(resource -> resource.getIdElement().getIdPart().replaceFirst("^#", ""))
					.toList();
			assertThat(contained).doesNotHaveDuplicates();
			carePlan.getActivity().stream().filter(CarePlan.CarePlanActivityComponent::hasReference).forEach(activity ->
					assertThat(contained).contains(activity.getReference().getReference().substring(1)));
			for (CarePlan.CarePlanActivityComponent activity : carePlan.getActivity()) {
				if (!activity.getDetail().hasReasonCode()) {
					continue;
				}
				var named = activity.getExtensionByUrl(ACTIVITY_SUBJECT);
				String subject = named == null
						? carePlan.getSubject().getReference()
						: ((Reference) named.getValue()).getReference();
				results.add(activity.getDetail().getReasonCodeFirstRep().getCodingFirstRep().getCode() + " " + subject);
			}
		}
		return results;
	}

	record Twins(String mother, String first, String second) {}

	/**
	 * A breastfeeding mother with an EPDS of 13 and twins born four days ago at 3500 g, weighed an hour ago at 3100 g
	 * and 3120 g (both over 10 % lost), stored as an EHR would write them.
	 */
	Twins storeTwins(String key) {
		Twins twins = new Twins(key + "-mom", key + "-inf1", key + "-inf2");
		Patient mother = new Patient();
		mother.setId(twins.mother());
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		int grams = 3100;
		for (String infantId : List.of(twins.first(), twins.second())) {
			Patient infant = new Patient();
			infant.setId(infantId);
			DateType birthDate = new DateType(CdsHooksServiceTests.BIRTH.toString().substring(0, 10));
			birthDate.addExtension("http://hl7.org/fhir/StructureDefinition/patient-birthTime",
					new DateTimeType(CdsHooksServiceTests.BIRTH.toString()));
			infant.setBirthDateElement(birthDate);
			RelatedPerson link = new RelatedPerson();
			link.setId(infantId + "-rp");
			link.setPatient(new Reference("Patient/" + infantId));
			link.addRelationship(new CodeableConcept(
					new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother")));
			mother.addLink().setOther(new Reference("RelatedPerson/" + infantId + "-rp")).setType(Patient.LinkType.SEEALSO);
			add(transaction, infant, link, CdsHooksServiceTests.birthWeight(infantId, infantId + "-bw"),
					CdsHooksServiceTests.weight(infantId, infantId + "-w", grams));
			grams += 20;
		}
		Observation breastfeeding = CdsHooksServiceTests.coded(twins.mother(), key + "-bf", "http://loinc.org", "63895-7",
				new CodeableConcept(new Coding("http://loinc.org", "LA29252-6", "Breastfeeding")),
				CdsHooksServiceTests.NOW.minus(Duration.ofHours(3)).toString());
		Observation epds = CdsHooksServiceTests.coded(twins.mother(), key + "-epds", "http://loinc.org", "71354-5", null,
				CdsHooksServiceTests.NOW.minus(Duration.ofHours(2)).toString());
		epds.setValue(new IntegerType(13));
		add(transaction, mother, breastfeeding, epds);
		client.fhir().transaction().withBundle(transaction).execute();
		return twins;
	}

	private void add(Bundle transaction, Resource... resources) {
		for (Resource resource : resources) {
			String reference = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
			transaction.addEntry().setFullUrl(client.baseUrl() + "/fhir/" + reference).setResource(resource)
					.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(reference);
		}
	}
}
