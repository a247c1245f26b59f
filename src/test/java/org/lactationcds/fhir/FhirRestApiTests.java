package org.lactationcds.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.SortOrderEnum;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.gclient.DateClientParam;
import ca.uhn.fhir.rest.gclient.ReferenceClientParam;
import ca.uhn.fhir.rest.gclient.TokenClientParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.lactationcds.support.ClinicVisit;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** FHIR REST as clinics and integrators use it, against the server on PostgreSQL. */
@PostgresIntegrationTest
class FhirRestApiTests {

	private static final String FHIR_JSON = "application/fhir+json";

	@Autowired
	FhirContext fhirContext;

	@LocalServerPort
	int port;

	FhirTestClient client;
	IGenericClient fhir;

	@BeforeEach
	void connect() {
		client = new FhirTestClient(fhirContext, port);
		fhir = client.fhir();
	}

	@Test
	void metadataWhenRequestedDescribesAnR4ServerWithTheResourcesClinicsUse() {
		CapabilityStatement capabilities = fhir.capabilities().ofType(CapabilityStatement.class).execute();

		assertThat(capabilities.getFhirVersion().toCode()).isEqualTo("4.0.1");
		List<String> types = capabilities.getRestFirstRep().getResource().stream()
				.map(CapabilityStatement.CapabilityStatementRestResourceComponent::getType)
				.toList();
		assertThat(types).contains("Observation", "Patient", "RelatedPerson", "Condition", "MedicationRequest",
				"MedicationStatement", "CarePlan", "PlanDefinition", "Library");
	}

	@Test
	void readinessWhenServerStartedIsUp() {
		HttpResponse<String> response = client.get("/actuator/health/readiness");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("\"status\":\"UP\"");
	}

	@Test
	void createWhenInfantWeightIsWrittenReadsBackTheSameValue() {
		IdType infant = create(ClinicVisit.infant(unique()));

		IdType weight = create(ClinicVisit.weight(new Reference(infant), 3250, "2025-03-04T08:00:00Z"));
		Observation read = fhir.read().resource(Observation.class).withId(weight).execute();

		assertThat(read.getValueQuantity().getValue()).isEqualByComparingTo("3250");
		assertThat(read.getValueQuantity().getCode()).isEqualTo("g");
		assertThat(read.getCode().getCodingFirstRep().getCode()).isEqualTo("29463-7");
		assertThat(read.getSubject().getReference()).isEqualTo(infant.getValue());
	}

	@Test
	void searchWhenFilteredByCodeAndDateRangeReturnsOnlyMatchingObservationsNewestFirst() {
		Reference infant = new Reference(create(ClinicVisit.infant(unique())));
		create(ClinicVisit.weight(infant, 3400, "2025-03-02T08:00:00Z"));
		create(ClinicVisit.weight(infant, 3330, "2025-03-03T08:00:00Z"));
		create(ClinicVisit.weight(infant, 3290, "2025-03-04T08:00:00Z"));
		create(ClinicVisit.weight(infant, 3600, "2025-03-20T08:00:00Z"));
		create(ClinicVisit.observation(infant, ClinicVisit.LOINC, "8310-5", "Body temperature", "2025-03-03T09:00:00Z"));

		Bundle page = fhir.search().forResource(Observation.class)
				.where(new ReferenceClientParam("subject").hasId(infant.getReference()))
				.and(new TokenClientParam("code").exactly().systemAndCode(ClinicVisit.LOINC, "29463-7"))
				.and(new DateClientParam("date").afterOrEquals().second("2025-03-02T00:00:00Z"))
				.and(new DateClientParam("date").before().second("2025-03-10T00:00:00Z"))
				.sort(new SortSpec("date", SortOrderEnum.DESC))
				.count(2)
				.returnBundle(Bundle.class)
				.execute();

		assertThat(grams(page)).containsExactly(3290, 3330);
		Bundle next = fhir.loadPage().next(page).execute();
		assertThat(grams(next)).containsExactly(3400);
	}

	@Test
	void historyWhenObservationIsCorrectedKeepsBothVersions() {
		Reference infant = new Reference(create(ClinicVisit.infant(unique())));
		IdType id = create(ClinicVisit.weight(infant, 3250, "2025-03-04T08:00:00Z"));
		Observation corrected = fhir.read().resource(Observation.class).withId(id).execute();
		corrected.setStatus(Observation.ObservationStatus.CORRECTED);
		corrected.setValue(new Quantity().setValue(3205).setUnit("g").setSystem(ClinicVisit.UCUM).setCode("g"));
		fhir.update().resource(corrected).execute();

		Bundle history = fhir.history().onInstance(id).returnBundle(Bundle.class).execute();

		assertThat(history.getEntry()).hasSize(2);
		assertThat(grams(history)).containsExactly(3205, 3250);
	}

	@Test
	void transactionWhenClinicVisitIsPostedStoresAllThirteenResourcesLinkedAsADyad() {
		String key = unique();

		Bundle response = fhir.transaction().withBundle(ClinicVisit.transaction(key)).execute();

		assertThat(response.getEntry()).hasSize(13);
		assertThat(response.getEntry()).allSatisfy(entry ->
				assertThat(entry.getResponse().getStatus()).startsWith("201"));
		Patient mother = onlyPatient("mom-" + key);
		Patient infant = onlyPatient("inf-" + key);
		RelatedPerson link = fhir.read().resource(RelatedPerson.class)
				.withUrl(mother.getLinkFirstRep().getOther().getReference()).execute();
		assertThat(link.getPatient().getReferenceElement().getIdPart()).isEqualTo(infant.getIdElement().getIdPart());
		assertThat(link.getRelationshipFirstRep().getCodingFirstRep().getCode()).isEqualTo("MTH");
		assertThat(countObservations(infant)).isEqualTo(5);
		assertThat(countObservations(mother)).isEqualTo(5);
	}

	@Test
	void searchWhenVisitWasPostedAsTransactionFindsItByEveryKindOfParameter() {
		String key = unique();
		fhir.transaction().withBundle(ClinicVisit.transaction(key)).execute();
		String infant = "Patient/" + onlyPatient("inf-" + key).getIdElement().getIdPart();
		String mother = "Patient/" + onlyPatient("mom-" + key).getIdElement().getIdPart();
		String weight = ClinicVisit.LOINC + "|29463-7";

		assertThat(count("Observation?patient=" + infant + "&code=" + weight)).isEqualTo(4);
		assertThat(count("Observation?subject=" + infant + "&value-quantity=lt3320|" + ClinicVisit.UCUM + "|g"))
				.isEqualTo(2);
		assertThat(count("Observation?subject=" + infant + "&date=ge2025-03-04")).isEqualTo(2);
		// Composite parameters are answered from their components' index rows (JpaSearchParamExtractor).
		assertThat(count("Observation?subject=" + infant + "&code-value-quantity=" + weight + "$lt3320")).isEqualTo(2);
		assertThat(count("Observation?subject=" + mother + "&code-value-concept=" + ClinicVisit.LOINC + "|63895-7$"
				+ ClinicVisit.LOINC + "|LA29252-6")).isEqualTo(1);
		assertThat(count("RelatedPerson?patient=" + infant)).isEqualTo(1);
	}

	@Test
	void updateWhenObservationCameInATransactionReplacesItsSearchIndexEntries() {
		String key = unique();
		fhir.transaction().withBundle(ClinicVisit.transaction(key)).execute();
		String infant = "subject=Patient/" + onlyPatient("inf-" + key).getIdElement().getIdPart();
		String birthWeightCode = "&code=" + ClinicVisit.LOINC + "|8339-4";
		Observation recorded = (Observation) fhir.search().byUrl("Observation?" + infant + birthWeightCode)
				.returnBundle(Bundle.class).execute().getEntryFirstRep().getResource();

		// The clinic corrects the entry: it was a daily weight of 3480 g, not the birth weight.
		recorded.getCode().getCodingFirstRep().setCode("29463-7").setDisplay("Body weight");
		recorded.setValue(new Quantity().setValue(3480).setUnit("g").setSystem(ClinicVisit.UCUM).setCode("g"));
		fhir.update().resource(recorded).execute();

		assertThat(count("Observation?" + infant + birthWeightCode)).isZero();
		assertThat(count("Observation?" + infant + "&code=" + ClinicVisit.LOINC + "|29463-7")).isEqualTo(5);
		assertThat(count("Observation?" + infant + "&value-quantity=3500|" + ClinicVisit.UCUM + "|g")).isZero();
		assertThat(count("Observation?" + infant + "&value-quantity=3480|" + ClinicVisit.UCUM + "|g")).isEqualTo(1);
	}

	@Test
	void updateWhenPatientCameInATransactionReplacesItsSearchIndexEntries() {
		String key = unique();
		fhir.transaction().withBundle(ClinicVisit.transaction(key)).execute();
		Patient infant = onlyPatient("inf-" + key);
		String identifier = "identifier=" + ClinicVisit.PATIENT_IDS + "|inf-" + key;

		infant.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("2025-03-02"));
		fhir.update().resource(infant).execute();

		assertThat(count("Patient?" + identifier + "&birthdate=2025-03-01")).isZero();
		assertThat(count("Patient?" + identifier + "&birthdate=2025-03-02")).isEqualTo(1);
	}

	@Test
	void transactionWhenTheSameVisitIsSentAgainCreatesNothingNew() {
		String key = unique();
		fhir.transaction().withBundle(ClinicVisit.transaction(key)).execute();

		Bundle again = fhir.transaction().withBundle(ClinicVisit.transaction(key)).execute();

		assertThat(again.getEntry()).filteredOn(entry -> entry.getResponse().getLocation().startsWith("Observation"))
				.allSatisfy(entry -> assertThat(entry.getResponse().getStatus()).startsWith("200"));
		assertThat(countObservations(onlyPatient("inf-" + key))).isEqualTo(5);
		assertThat(countObservations(onlyPatient("mom-" + key))).isEqualTo(5);
	}

	@Test
	void conditionalCreateWhenRepeatedReturnsTheFirstResourceInsteadOfADuplicate() {
		Reference infant = new Reference(create(ClinicVisit.infant(unique())));
		Observation weight = ClinicVisit.weight(infant, 3250, "2025-03-04T08:00:00Z");
		String identifier = unique();
		weight.addIdentifier().setSystem(ClinicVisit.OBSERVATION_IDS).setValue(identifier);
		String condition = "identifier=" + ClinicVisit.OBSERVATION_IDS + "|" + identifier;

		MethodOutcome first = fhir.create().resource(weight).conditionalByUrl("Observation?" + condition).execute();
		MethodOutcome second = fhir.create().resource(weight).conditionalByUrl("Observation?" + condition).execute();

		assertThat(first.getCreated()).isTrue();
		assertThat(second.getCreated()).isNotEqualTo(Boolean.TRUE);
		assertThat(second.getId().getIdPart()).isEqualTo(first.getId().getIdPart());
		assertThat(count("Observation?" + condition)).isEqualTo(1);
	}

	@Test
	void searchWhenClinicalResourcesAreStoredFindsThemByPatient() {
		IdType mother = create(new Patient().addIdentifier(new org.hl7.fhir.r4.model.Identifier()
				.setSystem(ClinicVisit.PATIENT_IDS).setValue("mom-" + unique())));
		Reference subject = new Reference(mother);
		CodeableConcept mastitis = new CodeableConcept(new Coding(ClinicVisit.SNOMED, "45198002", "Mastitis"));
		create(new Condition().setSubject(subject).setCode(mastitis));
		CodeableConcept furosemide =
				new CodeableConcept(new Coding("http://www.nlm.nih.gov/research/umls/rxnorm", "4603", "furosemide"));
		create(new MedicationRequest()
				.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE)
				.setIntent(MedicationRequest.MedicationRequestIntent.ORDER)
				.setMedication(furosemide)
				.setSubject(subject));
		create(new MedicationStatement()
				.setStatus(MedicationStatement.MedicationStatementStatus.ACTIVE)
				.setMedication(furosemide)
				.setSubject(subject));
		create(new CarePlan()
				.setStatus(CarePlan.CarePlanStatus.ACTIVE)
				.setIntent(CarePlan.CarePlanIntent.PLAN)
				.setSubject(subject));

		String patient = "patient=" + mother.getValue();
		assertThat(count("Condition?" + patient + "&code=" + ClinicVisit.SNOMED + "|45198002")).isEqualTo(1);
		assertThat(count("MedicationRequest?" + patient + "&status=active")).isEqualTo(1);
		assertThat(count("MedicationStatement?" + patient)).isEqualTo(1);
		assertThat(count("CarePlan?" + patient + "&status=active")).isEqualTo(1);
		assertThat(count("Patient?_id=" + mother.getIdPart())).isEqualTo(1);
	}

	@Test
	void validateWhenResourceIsIncompleteReportsTheMissingElementWithoutStoringIt() {
		Observation noStatus = new Observation();
		noStatus.setCode(new CodeableConcept(new Coding(ClinicVisit.LOINC, "29463-7", "Body weight")));
		String marker = unique();
		noStatus.addIdentifier().setSystem(ClinicVisit.OBSERVATION_IDS).setValue(marker);

		OperationOutcome outcome = validate(noStatus);

		assertThat(outcome.getIssue()).anySatisfy(issue -> {
			assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(issue.getDiagnostics()).contains("Observation.status");
		});
		assertThat(count("Observation?identifier=" + ClinicVisit.OBSERVATION_IDS + "|" + marker)).isZero();
	}

	@Nested
	class BadInput {

		@Test
		void createWhenJsonIsMalformedAnswers400WithOperationOutcome() {
			HttpResponse<String> response = client.post("/fhir/Observation", FHIR_JSON, "{\"resourceType\":\"Observation\",");

			assertThat(response.statusCode()).isEqualTo(400);
			assertThat(operationOutcome(response).getIssueFirstRep().getDiagnostics()).contains("Failed to parse");
		}

		@Test
		void createWhenRequiredElementIsMissingAnswers422AndStoresNothing() {
			String marker = unique();
			HttpResponse<String> response = client.post("/fhir/Observation", FHIR_JSON,
					"{\"resourceType\":\"Observation\",\"identifier\":[{\"system\":\"" + ClinicVisit.OBSERVATION_IDS
							+ "\",\"value\":\"" + marker + "\"}],\"code\":{\"text\":\"weight\"}}");

			assertThat(response.statusCode()).isEqualTo(422);
			assertThat(operationOutcome(response).getIssue())
					.anySatisfy(issue -> assertThat(issue.getDiagnostics()).contains("Observation.status"));
			assertThat(count("Observation?identifier=" + ClinicVisit.OBSERVATION_IDS + "|" + marker)).isZero();
		}

		@Test
		void createWhenElementIsUnknownAnswers422InsteadOfDroppingIt() {
			HttpResponse<String> response = client.post("/fhir/Observation", FHIR_JSON,
					"{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"weight\"},"
							+ "\"weightInGrams\":3250}");

			assertThat(response.statusCode()).isEqualTo(422);
			assertThat(operationOutcome(response).getIssue())
					.anySatisfy(issue -> assertThat(issue.getDiagnostics()).contains("weightInGrams"));
		}

		@Test
		void createWhenCodeIsNotAValidStatusAnswers400NamingTheCode() {
			HttpResponse<String> response = client.post("/fhir/Observation", FHIR_JSON,
					"{\"resourceType\":\"Observation\",\"status\":\"done\",\"code\":{\"text\":\"weight\"}}");

			assertThat(response.statusCode()).isEqualTo(400);
			assertThat(operationOutcome(response).getIssueFirstRep().getDiagnostics()).contains("'done'");
		}

		@Test
		void createWhenSubjectDoesNotExistAnswers400() {
			Observation orphan = ClinicVisit.weight(new Reference("Patient/does-not-exist"), 3250, "2025-03-04T08:00:00Z");

			assertThatThrownBy(() -> fhir.create().resource(orphan).execute())
					.isInstanceOf(InvalidRequestException.class)
					.hasMessageContaining("Patient/does-not-exist");
		}

		@Test
		void transactionWhenOneEntryIsInvalidStoresNoneOfTheVisit() {
			String key = unique();
			Bundle visit = ClinicVisit.transaction(key);
			Observation broken = (Observation) visit.getEntry().get(visit.getEntry().size() - 1).getResource();
			broken.setStatus(null);

			assertThatThrownBy(() -> fhir.transaction().withBundle(visit).execute())
					.isInstanceOf(UnprocessableEntityException.class);
			assertThat(count("Patient?identifier=" + ClinicVisit.PATIENT_IDS + "|mom-" + key)).isZero();
			assertThat(count("Patient?identifier=" + ClinicVisit.PATIENT_IDS + "|inf-" + key)).isZero();
		}

		@Test
		void transactionWhenOneEntryFailsInStorageRollsBackTheEntriesBeforeIt() {
			String key = unique();
			Bundle visit = ClinicVisit.transaction(key);
			Observation dangling = (Observation) visit.getEntry().get(visit.getEntry().size() - 1).getResource();
			dangling.setSubject(new Reference("Patient/not-" + key));

			assertThatThrownBy(() -> fhir.transaction().withBundle(visit).execute())
					.isInstanceOf(InvalidRequestException.class);
			assertThat(count("Patient?identifier=" + ClinicVisit.PATIENT_IDS + "|mom-" + key)).isZero();
			assertThat(count("Observation?identifier=" + ClinicVisit.OBSERVATION_IDS + "|" + key + "-0")).isZero();
		}

		@Test
		void createWhenResourceTypeIsUnknownAnswers404WithOperationOutcome() {
			HttpResponse<String> response = client.post("/fhir/Breastmilk", FHIR_JSON, "{\"resourceType\":\"Breastmilk\"}");

			assertThat(response.statusCode()).isEqualTo(404);
			assertThat(operationOutcome(response).getIssueFirstRep().getDiagnostics()).contains("Breastmilk");
		}
	}

	private IdType create(Resource resource) {
		return ((IdType) fhir.create().resource(resource).execute().getId()).toUnqualifiedVersionless();
	}

	private OperationOutcome validate(Resource resource) {
		Parameters parameters = new Parameters();
		parameters.addParameter().setName("resource").setResource(resource);
		return (OperationOutcome) fhir.operation()
				.onType(resource.getClass())
				.named("$validate")
				.withParameters(parameters)
				.returnResourceType(OperationOutcome.class)
				.execute();
	}

	private Patient onlyPatient(String identifier) {
		Bundle found = fhir.search().byUrl("Patient?identifier=" + ClinicVisit.PATIENT_IDS + "|" + identifier)
				.returnBundle(Bundle.class).execute();
		assertThat(found.getEntry()).hasSize(1);
		return (Patient) found.getEntryFirstRep().getResource();
	}

	private int countObservations(Patient patient) {
		return count("Observation?subject=Patient/" + patient.getIdElement().getIdPart());
	}

	private int count(String searchUrl) {
		String separator = searchUrl.contains("?") ? "&" : "?";
		return fhir.search().byUrl(searchUrl + separator + "_summary=count").returnBundle(Bundle.class).execute().getTotal();
	}

	private OperationOutcome operationOutcome(HttpResponse<String> response) {
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
		return fhirContext.newJsonParser().parseResource(OperationOutcome.class, response.body());
	}

	private static List<Integer> grams(Bundle bundle) {
		return bundle.getEntry().stream()
				.map(BundleEntryComponent::getResource)
				.map(resource -> ((Observation) resource).getValueQuantity().getValue().intValueExact())
				.toList();
	}

	private static String unique() {
		return UUID.randomUUID().toString().substring(0, 12);
	}
}
