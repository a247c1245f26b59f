package org.lactationcds.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.net.http.HttpResponse;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** PlanDefinition/$apply through FHIR REST, on the knowledge the server runs and the subject's stored data. */
@PostgresIntegrationTest
class ApplyOperationTests {

	@Autowired
	FhirContext fhirContext;

	@LocalServerPort
	int port;

	FhirTestClient client;

	@BeforeEach
	void connect() {
		client = new FhirTestClient(fhirContext, port);
	}

	@Test
	void applyWhenRelactationProtocolForAMotherAnswersACarePlanWithTheTenActivities() {
		IdType mother = (IdType) client.fhir().create().resource(new Patient()).execute().getId();

		HttpResponse<String> response = client.get("/fhir/PlanDefinition/relactation-protocol/$apply?subject=Patient/"
				+ mother.getIdPart());

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		CarePlan plan = fhirContext.newJsonParser().parseResource(CarePlan.class, response.body());
		assertThat(plan.getSubject().getReference()).isEqualTo("Patient/" + mother.getIdPart());
		assertThat(plan.getInstantiatesCanonical().get(0).getValue())
				.isEqualTo("http://lactation-cds.org/fhir/PlanDefinition/relactation-protocol|1.0.0");
		assertThat(plan.getActivity()).hasSize(10);
		assertThat(plan.getActivity().get(0).getReference().getReference())
				.isEqualTo("#step-01-skilled-support-lactation-consult-referral");
		assertThat(plan.getContained()).extracting(resource -> resource.fhirType())
				.doesNotContain("RequestGroup")
				.contains("ServiceRequest", "CommunicationRequest", "Task", "Goal");
		assertThat(plan.getGoal()).hasSize(2);
	}

	@Test
	void applyWhenRelactationProtocolForALinkedMotherGivesTheInfantGoalsTheInfantAsSubject() {
		IdType infant = (IdType) client.fhir().create().resource(new Patient()).execute().getId();
		RelatedPerson link = new RelatedPerson();
		link.setPatient(new Reference("Patient/" + infant.getIdPart()));
		link.addRelationship(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother")));
		IdType related = (IdType) client.fhir().create().resource(link).execute().getId();
		Patient motherPatient = new Patient();
		motherPatient.addLink().setType(Patient.LinkType.SEEALSO).setOther(new Reference("RelatedPerson/" + related.getIdPart()));
		IdType mother = (IdType) client.fhir().create().resource(motherPatient).execute().getId();

		HttpResponse<String> response = client.get("/fhir/PlanDefinition/relactation-protocol/$apply?subject=Patient/"
				+ mother.getIdPart());

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		CarePlan plan = fhirContext.newJsonParser().parseResource(CarePlan.class, response.body());
		assertThat(plan.getSubject().getReference()).isEqualTo("Patient/" + mother.getIdPart());
		assertThat(plan.getContained()).filteredOn(Goal.class::isInstance).map(Goal.class::cast)
				.hasSize(2)
				.anySatisfy(goal -> assertThat(goal.getDescription().getText()).startsWith("Infant weight gain"))
				.allSatisfy(goal -> assertThat(goal.getSubject().getReference()).isEqualTo("Patient/" + infant.getIdPart()));
	}

	@Test
	void applyWhenRedFlagsFireKeepsTheRuleSummaryEvidenceAndSuggestionAsActivities() {
		IdType mother = (IdType) client.fhir().create().resource(new Patient()).execute().getId();
		Observation epds = new Observation();
		epds.setStatus(Observation.ObservationStatus.FINAL);
		epds.setCode(new CodeableConcept(new Coding("http://loinc.org", "71354-5", "EPDS total")));
		epds.setSubject(new Reference(mother.toUnqualifiedVersionless()));
		epds.setEffective(new DateTimeType(new java.util.Date()));
		epds.setValue(new IntegerType(13));
		client.fhir().create().resource(epds).execute();

		HttpResponse<String> response = client.get("/fhir/PlanDefinition/lactation-red-flags/$apply?subject=Patient/"
				+ mother.getIdPart());

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		CarePlan plan = fhirContext.newJsonParser().parseResource(CarePlan.class, response.body());
		assertThat(plan.getActivity()).anySatisfy(activity -> {
			assertThat(activity.getDetail().getReasonCodeFirstRep().getCodingFirstRep().getCode()).isEqualTo("PSYCH-SUPPORT");
			assertThat(activity.getDetail().getDescription()).startsWith("EPDS 13 (≥13)").contains("EPDS total 13");
		});
		assertThat(plan.getActivity()).anySatisfy(activity ->
				assertThat(activity.getReference().getReference()).startsWith("#PSYCH-SUPPORT-referral"));
	}

	@Nested
	class BadInput {

		@Test
		void applyWhenSubjectIsMissingAnswers400() {
			HttpResponse<String> response = client.get("/fhir/PlanDefinition/relactation-protocol/$apply");

			assertThat(response.statusCode()).isEqualTo(400);
			assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).contains("subject");
		}

		@Test
		void applyWhenSubjectIsNotAPatientAnswers400NamingTheExpectedForm() {
			HttpResponse<String> response = client.get("/fhir/PlanDefinition/relactation-protocol/$apply?subject=Practitioner/1");

			assertThat(response.statusCode()).isEqualTo(400);
			assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).contains("Patient/<id>");
		}

		@Test
		void applyWhenPatientDoesNotExistAnswers404() {
			HttpResponse<String> response = client.get("/fhir/PlanDefinition/relactation-protocol/$apply?subject=Patient/nobody");

			assertThat(response.statusCode()).isEqualTo(404);
		}

		@Test
		void applyWhenPlanDefinitionIsNotPartOfTheKnowledgeAnswers404() {
			IdType patient = (IdType) client.fhir().create().resource(new Patient()).execute().getId();

			HttpResponse<String> response = client.get("/fhir/PlanDefinition/no-such-plan/$apply?subject=Patient/" + patient.getIdPart());

			assertThat(response.statusCode()).isEqualTo(404);
			assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).contains("no-such-plan");
		}
	}

	private OperationOutcome outcome(HttpResponse<String> response) {
		return fhirContext.newJsonParser().parseResource(OperationOutcome.class, response.body());
	}
}
