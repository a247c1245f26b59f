package org.lactationcds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Expression;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.TestHttp;
import org.lactationcds.support.PostgresIntegrationTest;
import org.lactationcds.support.ServerProcess;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

/**
 * Knowledge published through FHIR REST runs without a restart, on this instance and on another instance of the same
 * database; CQL that does not compile is refused.
 */
@PostgresIntegrationTest
class KnowledgePublishingTests {

	static final String BASE = "http://lactation-cds.org/fhir";
	static final Duration PROPAGATION = Duration.ofSeconds(40);

	@Autowired
	FhirContext fhirContext;

	@Autowired
	Environment environment;

	@LocalServerPort
	int port;

	FhirTestClient client;
	String patient;

	@BeforeEach
	void connect() {
		client = new FhirTestClient(fhirContext, port);
		patient = ((IdType) client.fhir().create().resource(new Patient()).execute().getId()).getIdPart();
	}

	@Test
	void publishWhenALibraryVersionChangesTheOutcomeOfAnEvaluationChangesWithoutRestart() {
		String rule = "Published" + UUID.randomUUID().toString().substring(0, 6).replace("-", "");
		publish(library(rule, "1.0.0", "first answer"));
		publish(planDefinition(rule, "1.0.0"));
		awaitApply(client.baseUrl(), rule, body -> body.contains("first answer"));

		publish(library(rule, "1.1.0", "second answer"));
		publish(planDefinition(rule, "1.1.0"));

		String answer = awaitApply(client.baseUrl(), rule, body -> body.contains("second answer"));
		assertThat(answer).doesNotContain("first answer");
	}

	@Test
	void publishWhenCqlDoesNotCompileAnswers422WithTheTranslatorErrorAndStoresNothing() {
		Library broken = library("Broken" + UUID.randomUUID().toString().substring(0, 6), "1.0.0", "never");
		broken.getContentFirstRep().setData(("library " + broken.getName() + " version '1.0.0'\n"
				+ "using FHIR version '4.0.1'\ncontext Patient\ndefine \"Title\": \"Missing Definition\"\n")
				.getBytes(StandardCharsets.UTF_8));

		HttpResponse<String> response = client.post("/fhir/Library", "application/fhir+json",
				fhirContext.newJsonParser().encodeResourceToString(broken));

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(response.body()).contains(broken.getName() + " line 4").contains("Missing Definition");
		assertThat(client.get("/fhir/Library?name=" + broken.getName() + "&_summary=count").body()).contains("\"total\":0");
	}

	@Test
	void publishWhenMadeThroughOneInstanceReachesAnotherInstanceOnTheSameDatabase(@TempDir Path workingDirectory) {
		try (ServerProcess other = ServerProcess.start(workingDirectory, Map.of(
				"SPRING_DATASOURCE_URL", environment.getProperty("spring.datasource.url"),
				"SPRING_DATASOURCE_USERNAME", environment.getProperty("spring.datasource.username"),
				"SPRING_DATASOURCE_PASSWORD", environment.getProperty("spring.datasource.password", "")))) {
			String rule = "Shared" + UUID.randomUUID().toString().substring(0, 6).replace("-", "");

			publish(library(rule, "1.0.0", "published on the first instance"));
			publish(planDefinition(rule, "1.0.0"));

			awaitApply(other.baseUrl(), rule, body -> body.contains("published on the first instance"));
		}
	}

	private void publish(org.hl7.fhir.r4.model.Resource resource) {
		client.fhir().update().resource(resource).execute();
	}

	/** Polls PlanDefinition/{rule}/$apply on a server until the answer satisfies the expectation. */
	private String awaitApply(String baseUrl, String rule, Predicate<String> expectation) {
		Instant deadline = Instant.now().plus(PROPAGATION);
		String last = "";
		while (Instant.now().isBefore(deadline)) {
			try {
				HttpResponse<String> response = TestHttp.send(HttpRequest.newBuilder(URI.create(
						baseUrl + "/fhir/PlanDefinition/" + rule.toLowerCase() + "/$apply?subject=Patient/" + patient)));
				last = response.statusCode() + " " + response.body();
				if (response.statusCode() == 200 && expectation.test(response.body())) {
					CarePlan plan = fhirContext.newJsonParser().parseResource(CarePlan.class, response.body());
					assertThat(plan.getActivity()).hasSize(1);
					return response.body();
				}
				Thread.sleep(500);
			} catch (IllegalStateException e) {
				last = e.toString();
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(e);
			}
		}
		throw new AssertionError("no expected $apply answer from " + baseUrl + " within " + PROPAGATION + "; last: " + last);
	}

	private static Library library(String name, String version, String answer) {
		Library library = new Library();
		library.setId(name + "-" + version.replace('.', '-'));
		library.setUrl(BASE + "/Library/" + name);
		library.setVersion(version);
		library.setName(name);
		library.setStatus(org.hl7.fhir.r4.model.Enumerations.PublicationStatus.ACTIVE);
		library.getType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/library-type").setCode("logic-library");
		String cql = "library " + name + " version '" + version + "'\nusing FHIR version '4.0.1'\ncontext Patient\n"
				+ "define \"Title\": '" + answer + "'\n";
		library.addContent().setContentType("text/cql").setData(cql.getBytes(StandardCharsets.UTF_8));
		return library;
	}

	private static PlanDefinition planDefinition(String name, String version) {
		PlanDefinition plan = new PlanDefinition();
		plan.setId(name.toLowerCase());
		plan.setUrl(BASE + "/PlanDefinition/" + name.toLowerCase());
		plan.setVersion(version);
		plan.setName(name);
		plan.setStatus(org.hl7.fhir.r4.model.Enumerations.PublicationStatus.ACTIVE);
		plan.addLibrary(BASE + "/Library/" + name + "|" + version);
		plan.addAction()
				.setTitle("placeholder")
				.addDynamicValue()
				.setPath("title")
				.setExpression(new Expression().setLanguage("text/cql-identifier").setExpression("Title"));
		return plan;
	}
}
