package org.lactationcds.security;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Type;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.ServerProcess;
import org.lactationcds.support.StubIssuer;
import org.lactationcds.support.TestHttp;

/**
 * {@code lactation-cds.security.patient-scopes-cover-dyad} on: a {@code patient/} token for the infant (an EHR launch
 * of the clinic app) reads, searches, prefills and records the visit of her dyad (her mother), and still nothing of
 * another dyad. The same requests with the policy off are refused in {@link FhirOAuth2ServerTests}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PatientScopesCoverDyadServerTests {

	static final String ISSUER = "https://auth.example.org";
	static final String AUDIENCE = "https://cds.example.org/fhir";
	static final String QUESTIONNAIRE = "http://lactation-cds.org/fhir/Questionnaire/lactation-visit|1.1.0";
	static final FhirContext FHIR = FhirContext.forR4Cached();

	@TempDir
	static Path workingDirectory;

	StubIssuer auth;
	ServerProcess server;
	String system;
	/** The infant's launch: every letter, as a site that lets the app record visits would grant. */
	String infantLaunch;
	/** The mother temperature of dyad 1 and the one of dyad 2. */
	String motherTemperature;
	String otherTemperature;

	@BeforeAll
	void start() throws Exception {
		auth = StubIssuer.start(ISSUER, AUDIENCE);
		Map<String, String> environment = new HashMap<>(auth.fhirEnvironment());
		environment.putAll(Map.of(
				"LACTATION_CDS_SECURITY_PATIENT_SCOPES_COVER_DYAD", "true",
				"LACTATION_CDS_EXAMPLES_LOAD", "false"));
		server = ServerProcess.start(workingDirectory, environment, java.time.Duration.ofMinutes(10));
		system = token("system/*.cruds", null);
		infantLaunch = token("launch patient/*.cruds", "dy-i");
		dyad("dy");
		dyad("ox");
		motherTemperature = temperature("dy-m");
		otherTemperature = temperature("ox-m");
	}

	@AfterAll
	void stop() {
		if (server != null) {
			server.close();
		}
		if (auth != null) {
			auth.close();
		}
	}

	@Test
	void infantTokenReadsAndSearchesHerMothersObservations() throws Exception {
		assertThat(send("GET", "/fhir/" + motherTemperature, infantLaunch, null).statusCode()).isEqualTo(200);
		HttpResponse<String> search = send("GET", "/fhir/Observation?patient=dy-m", infantLaunch, null);
		assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
		assertThat(search.body()).contains("38.9", "Patient/dy-m");
		assertThat(send("GET", "/fhir/Observation?subject=Patient/dy-m,Patient/dy-i", infantLaunch, null).statusCode())
				.as("both members at once").isEqualTo(200);
		assertThat(send("GET", "/fhir/Patient/dy-m", infantLaunch, null).statusCode()).isEqualTo(200);
		// The dyad view's own query for the mother's temperatures (app.js).
		HttpResponse<String> temperatures = send("GET",
				"/fhir/Observation?subject=Patient/dy-m&code=http://loinc.org%7C8310-5&_count=500", infantLaunch, null);
		assertThat(temperatures.statusCode()).as(temperatures.body()).isEqualTo(200);
		assertThat(temperatures.body()).contains("38.9");
	}

	@Test
	void motherTokenReadsHerInfantsPatient() throws Exception {
		String motherLaunch = token("launch patient/*.rs", "dy-m");
		assertThat(send("GET", "/fhir/Patient/dy-i", motherLaunch, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/fhir/Observation?patient=dy-i", motherLaunch, null).statusCode()).isEqualTo(200);
	}

	@Test
	void anotherDyadStaysRefused() throws Exception {
		assertThat(send("GET", "/fhir/" + otherTemperature, infantLaunch, null).statusCode()).isEqualTo(403);
		assertThat(send("GET", "/fhir/Patient/ox-m", infantLaunch, null).statusCode()).isEqualTo(403);
		assertThat(send("GET", "/fhir/Observation?patient=ox-m", infantLaunch, null).statusCode()).isEqualTo(403);
		assertThat(send("GET", "/fhir/Observation?patient=dy-m,ox-m", infantLaunch, null).statusCode())
				.as("one member of another dyad in the list").isEqualTo(403);
		assertThat(send("GET", "/fhir/Observation", infantLaunch, null).statusCode()).as("unrestricted search").isEqualTo(403);
		HttpResponse<String> populate = send("GET",
				"/fhir/Questionnaire/lactation-visit/$populate?subject=Patient/ox-i", infantLaunch, null);
		assertThat(populate.statusCode()).isEqualTo(403);
		assertThat(populate.body()).contains("OperationOutcome").doesNotContain("ox-m");
	}

	@Test
	void infantTokenPrefillsTheVisitForHerDyad() throws Exception {
		HttpResponse<String> populated = send("GET",
				"/fhir/Questionnaire/lactation-visit/$populate?subject=Patient/dy-i", infantLaunch, null);
		assertThat(populated.statusCode()).as(populated.body()).isEqualTo(200);
		assertThat(populated.body()).contains("QuestionnaireResponse", "Patient/dy-m");
		assertThat(send("GET", "/fhir/Questionnaire/lactation-visit/$populate?subject=Patient/dy-i",
				token("launch patient/Observation.rs", "dy-i"), null).statusCode()).as("no Patient scope").isEqualTo(403);
	}

	@Nested
	class SubmitVisit {

		@Test
		void infantTokenRecordsHerDyadsVisit() throws Exception {
			HttpResponse<String> stored = send("POST", "/fhir/QuestionnaireResponse/$submit-visit", infantLaunch,
					visit("dy-m", "dy-i"));
			assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
			HttpResponse<String> weights = send("GET", "/fhir/Observation?patient=dy-i&code=http://loinc.org%7C29463-7", infantLaunch, null);
			assertThat(weights.body()).contains("2950");
		}

		@Test
		void readOnlyTokenMayNotRecordAVisit() throws Exception {
			HttpResponse<String> refused = send("POST", "/fhir/QuestionnaireResponse/$submit-visit",
					token("launch patient/*.rs", "dy-i"), visit("dy-m", "dy-i"));
			assertThat(refused.statusCode()).isEqualTo(403);
		}

		@Test
		void aVisitForAnotherDyadIsRefusedAndNothingStored() throws Exception {
			HttpResponse<String> refused = send("POST", "/fhir/QuestionnaireResponse/$submit-visit", infantLaunch,
					visit("ox-m", "ox-i"));
			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
			assertThat(refused.body()).contains("OperationOutcome");
			assertThat(total("/fhir/Observation?patient=ox-i&_summary=count")).isZero();
			assertThat(total("/fhir/QuestionnaireResponse?subject=Patient/ox-m&_summary=count")).isZero();
		}

		@Test
		void eachWriteIsCheckedEvenWhenTheReadsAreAllowed() throws Exception {
			// system/ reads let the operation read any Patient and link; its writes still need the patient/ create rules.
			String readsAnyone = token("launch patient/Observation.c patient/QuestionnaireResponse.c system/Patient.r system/RelatedPerson.rs", "dy-i");
			HttpResponse<String> refused = send("POST", "/fhir/QuestionnaireResponse/$submit-visit", readsAnyone, visit("ox-m", "ox-i"));
			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
			assertThat(total("/fhir/Observation?patient=ox-i&_summary=count")).isZero();
			assertThat(total("/fhir/QuestionnaireResponse?subject=Patient/ox-m&_summary=count")).isZero();
			HttpResponse<String> own = send("POST", "/fhir/QuestionnaireResponse/$submit-visit", readsAnyone, visit("dy-m", "dy-i"));
			assertThat(own.statusCode()).as("the same token for its own dyad: " + own.body()).isEqualTo(200);
		}

		@Test
		void aVisitWritingOntoAnotherDyadsInfantIsRefusedAndNothingStored() throws Exception {
			// The response's subject is her own mother, but the weight would land on another dyad's infant.
			HttpResponse<String> refused = send("POST", "/fhir/QuestionnaireResponse/$submit-visit", infantLaunch,
					visit("dy-m", "ox-i"));
			assertThat(refused.statusCode()).as(refused.body()).isIn(403, 422);
			assertThat(total("/fhir/Observation?patient=ox-i&_summary=count")).isZero();
		}
	}

	/** Mother {prefix}-m linked to infant {prefix}-i by RelatedPerson {prefix}-rp (MTH). */
	private void dyad(String prefix) throws Exception {
		put("Patient/" + prefix + "-i", "{\"resourceType\":\"Patient\",\"id\":\"" + prefix + "-i\",\"birthDate\":\""
				+ Instant.now().minus(4, ChronoUnit.DAYS).toString().substring(0, 10) + "\"}");
		put("RelatedPerson/" + prefix + "-rp", "{\"resourceType\":\"RelatedPerson\",\"id\":\"" + prefix + "-rp\","
				+ "\"patient\":{\"reference\":\"Patient/" + prefix + "-i\"},\"relationship\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/v3-RoleCode\",\"code\":\"MTH\"}]}]}");
		put("Patient/" + prefix + "-m", "{\"resourceType\":\"Patient\",\"id\":\"" + prefix + "-m\",\"link\":[{\"other\":"
				+ "{\"reference\":\"RelatedPerson/" + prefix + "-rp\"},\"type\":\"seealso\"}]}");
	}

	private void put(String path, String body) throws Exception {
		HttpResponse<String> response = send("PUT", "/fhir/" + path, system, body);
		assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
	}

	/** A body temperature of 38.9 Cel for the patient; its Observation/id. */
	private String temperature(String patient) throws Exception {
		HttpResponse<String> created = send("POST", "/fhir/Observation", system, "{\"resourceType\":\"Observation\","
				+ "\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8310-5\"}]},"
				+ "\"subject\":{\"reference\":\"Patient/" + patient + "\"},\"effectiveDateTime\":\"" + Instant.now() + "\","
				+ "\"valueQuantity\":{\"value\":38.9,\"unit\":\"Cel\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"Cel\"}}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String location = created.headers().firstValue("Location").orElseThrow();
		return location.substring(location.indexOf("Observation/")).replaceFirst("/_history/.*", "");
	}

	private int total(String search) throws Exception {
		HttpResponse<String> response = send("GET", search, system, null);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return FHIR.newJsonParser().parseResource(Bundle.class, response.body()).getTotal();
	}

	/** A completed visit of the mother with one infant weight (2,950 g), as the visit form sends it. */
	static String visit(String mother, String infant) {
		QuestionnaireResponse response = new QuestionnaireResponse()
				.setQuestionnaire(QUESTIONNAIRE)
				.setStatus(QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED)
				.setSubject(new Reference("Patient/" + mother));
		response.getIdentifier().setSystem("urn:ietf:rfc:3986").setValue("urn:uuid:" + UUID.randomUUID());
		response.addItem().setLinkId("visit")
				.addItem(answer("visit-time", new DateTimeType(Instant.now().truncatedTo(ChronoUnit.MINUTES).toString())))
				.addItem(answer("infant", new Reference("Patient/" + infant)));
		response.addItem().setLinkId("infant-group").addItem(answer("infant-weight",
				new Quantity().setValue(2950).setSystem("http://unitsofmeasure.org").setCode("g").setUnit("g")));
		return FHIR.newJsonParser().encodeResourceToString(response);
	}

	private static QuestionnaireResponseItemComponent answer(String linkId, Type value) {
		QuestionnaireResponseItemComponent item = new QuestionnaireResponseItemComponent().setLinkId(linkId);
		item.addAnswer().setValue(value);
		return item;
	}

	/** A SMART token of the clinic app: the launch tokens carry the patient. */
	private String token(String scope, String patient) {
		JWTClaimsSet.Builder claims = auth.claims(scope).subject("clinic-app");
		if (patient != null) {
			claims.claim("patient", patient);
		}
		return auth.sign(claims.build());
	}

	private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
				.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
				.header("Content-Type", "application/fhir+json");
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return TestHttp.send(request);
	}
}
