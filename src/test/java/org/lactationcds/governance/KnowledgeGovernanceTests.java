package org.lactationcds.governance;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Expression;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.lactationcds.support.ServerProcess;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

/**
 * A publish through FHIR REST is accepted only when the whole knowledge it leaves is valid; otherwise 422 naming
 * what broke, and nothing is stored. Accepted publishes are releases that operators see and can roll back. (This
 * server is in open mode: the publisher permission is tested in {@link KnowledgeGovernanceServerTests}.)
 */
@PostgresIntegrationTest
class KnowledgeGovernanceTests {

	static final String BASE = "http://lactation-cds.org/fhir";
	static final Duration PROPAGATION = Duration.ofSeconds(60);

	@Autowired
	FhirContext fhirContext;

	@Autowired
	Environment environment;

	@LocalServerPort
	int port;

	FhirTestClient client;

	@BeforeEach
	void connect() {
		client = new FhirTestClient(fhirContext, port);
	}

	@Nested
	class Refused {

		@Test
		void publishWhenALibraryReusesTheNameAndVersionOfARunningOneAnswers422AndStoresNothing() {
			Library copy = library("LactationCommon", "1.0.0", "define \"Anything\": 1\n");
			copy.setId("LactationCommon-shadow-" + suffix());
			copy.setUrl(BASE + "/Library/LactationCommon");

			HttpResponse<String> response = put(copy);

			assertThat(response.statusCode()).isEqualTo(422);
			assertThat(response.body()).contains("already published as Library/LactationCommon");
			assertThat(client.get("/fhir/Library/" + copy.getIdPart()).statusCode()).isEqualTo(404);
		}

		@Test
		void publishWhenLactationCommonChangesSoThatItsIncludersNoLongerCompileAnswers422NamingTheIncluder() {
			Library common = read(Library.class, "LactationCommon");
			Library changed = library("LactationCommon", "1.0.1", "define \"Nothing Here\": 1\n");
			changed.setId("LactationCommon");
			changed.setUrl(common.getUrl());

			HttpResponse<String> response = put(changed);

			assertThat(response.statusCode()).isEqualTo(422);
			assertThat(response.body()).contains("LactationDyad");
			assertThat(read(Library.class, "LactationCommon").getVersion()).isEqualTo(common.getVersion());
		}

		@Test
		void publishWhenAPublishedVersionIsEditedInPlaceAnswers422() {
			Library common = read(Library.class, "LactationCommon");
			common.setDescription("edited " + suffix());

			HttpResponse<String> response = put(common);

			assertThat(response.statusCode()).isEqualTo(422);
			assertThat(response.body()).contains("changes version " + common.getVersion() + " in place");
		}

		@Test
		void publishWhenAPlanDefinitionNamesAnExpressionItsLibraryLacksAnswers422() {
			String name = "Missing" + suffix();
			Bundle transaction = transaction(library(name, "1.0.0", "define \"Title\": 'x'\n"), plan(name, "1.0.0", "No Such Definition"));

			HttpResponse<String> response = post(transaction);

			assertThat(response.statusCode()).isEqualTo(422);
			assertThat(response.body()).contains("\\\"No Such Definition\\\"").contains("does not define");
			assertThat(client.get("/fhir/Library?name=" + name + "&_summary=count").body()).contains("\"total\":0");
		}

		@Test
		void publishWhenTheCdsServicesPlanDefinitionIsDeletedAnswers422() {
			HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri("/fhir/PlanDefinition/lactation-red-flags")).DELETE());

			assertThat(response.statusCode()).isEqualTo(422);
			assertThat(response.body()).contains("PlanDefinition/lactation-red-flags");
			assertThat(client.get("/fhir/PlanDefinition/lactation-red-flags").statusCode()).isEqualTo(200);
		}

		@Test
		void publishWhenARuleFailsOnTheDemoDyadsAnswers422NamingThePatientAndStoresNeitherResource() {
			String name = "Failing" + suffix();
			Bundle transaction = transaction(
					library(name, "1.0.0", "define \"Title\": if (singleton from { 1, 2 }) = 1 then 'a' else 'b'\n"),
					plan(name, "1.0.0", "Title"));

			HttpResponse<String> response = post(transaction);

			assertThat(response.statusCode()).isEqualTo(422);
			assertThat(response.body()).contains("on the demo patient Patient/");
			assertThat(client.get("/fhir/PlanDefinition?name=" + name + "&_summary=count").body()).contains("\"total\":0");
			assertThat(client.get("/fhir/Library?name=" + name + "&_summary=count").body()).contains("\"total\":0");
		}
	}

	@Test
	void publishIsARecordedReleaseAndRollbackToThePackagedKnowledgeRemovesIt() {
		String name = "Released" + suffix();
		HttpResponse<String> published = post(transaction(library(name, "1.0.0", "define \"Title\": 'released'\n"), plan(name, "1.0.0", "Title")));
		assertThat(published.statusCode()).as(published.body()).isEqualTo(200);

		Parameters status = awaitStatus(body -> body.contains(BASE + "/PlanDefinition/" + name.toLowerCase() + "|1.0.0"));
		assertThat(status.getParameter("source").getValue().primitiveValue()).isEqualTo("release");
		Parameters.ParametersParameterComponent release = status.getParameter("release");
		assertThat(part(release, "publishedBy")).isEqualTo("anonymous (open mode)");
		assertThat(part(release, "action")).isEqualTo("publish");

		HttpResponse<String> rolledBack = client.post("/fhir/$knowledge-rollback", "application/fhir+json",
				"{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"packaged\",\"valueBoolean\":true}]}");
		assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);

		Parameters after = awaitStatus(body -> !body.contains(name.toLowerCase()) && body.contains("\"rollback\""));
		assertThat(client.get("/fhir/PlanDefinition/" + name.toLowerCase()).statusCode()).isEqualTo(410);
		assertThat(part(after.getParameter("release"), "action")).isEqualTo("rollback");
		assertThat(after.getParameter().stream().filter(p -> p.getName().equals("history")).count()).isGreaterThanOrEqualTo(2);

		// And back again: the release that was rolled back can itself be restored.
		HttpResponse<String> restored = client.post("/fhir/$knowledge-rollback", "application/fhir+json",
				"{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"release\",\"valueString\":\"" + part(release, "id") + "\"}]}");
		assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
		awaitStatus(body -> body.contains(BASE + "/PlanDefinition/" + name.toLowerCase() + "|1.0.0"));
		assertThat(client.get("/fhir/PlanDefinition/" + name.toLowerCase()).statusCode()).isEqualTo(200);
	}

	/** Two instances on one PostgreSQL: a publish on one runs on both; both audit into the one store. */
	@Test
	void publishOnOneInstanceRunsOnBothAndBothAuditIntoTheOneStore(@TempDir Path workingDirectory) throws Exception {
		try (ServerProcess other = ServerProcess.start(workingDirectory, Map.of(
				"SPRING_DATASOURCE_URL", environment.getProperty("spring.datasource.url"),
				"SPRING_DATASOURCE_USERNAME", environment.getProperty("spring.datasource.username"),
				"SPRING_DATASOURCE_PASSWORD", environment.getProperty("spring.datasource.password", ""),
				"LACTATION_CDS_EXAMPLES_LOAD", "false"))) {
			String name = "ScaledOut" + suffix();
			HttpResponse<String> published = post(transaction(library(name, "1.0.0", "define \"Title\": 'both'\n"), plan(name, "1.0.0", "Title")));
			assertThat(published.statusCode()).as(published.body()).isEqualTo(200);

			String canonical = BASE + "/PlanDefinition/" + name.toLowerCase() + "|1.0.0";
			Parameters here = awaitStatus(client.baseUrl(), body -> body.contains(canonical));
			Parameters there = awaitStatus(other.baseUrl(), body -> body.contains(canonical));
			assertThat(there.getParameter("fingerprint").getValue().primitiveValue())
					.isEqualTo(here.getParameter("fingerprint").getValue().primitiveValue());

			String patient = "scaled-" + suffix();
			assertThat(client.send(HttpRequest.newBuilder(client.uri("/fhir/Patient/" + patient))
					.header("Content-Type", "application/fhir+json")
					.PUT(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Patient\",\"id\":\"" + patient + "\"}")))
					.statusCode()).isEqualTo(201);
			assertThat(http(other.baseUrl() + "/fhir/Patient/" + patient).statusCode()).isEqualTo(200);
			assertThat(client.get("/fhir/Patient/" + patient).statusCode()).isEqualTo(200);

			String trail = client.get("/fhir/AuditEvent?entity-name:exact=Patient/" + patient + "&_count=100").body();
			assertThat(trail).as("a read on each instance, one store")
					.contains("127.0.0.1:" + port + "/fhir")
					.contains("127.0.0.1:" + other.port() + "/fhir");
		}
	}

	@Test
	void releasesAreWrittenByTheServerOnly() {
		String forged = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"meta\":{\"tag\":[{\"system\":\""
				+ KnowledgeReleases.TAG_SYSTEM + "\",\"code\":\"" + KnowledgeReleases.TAG_CODE + "\"}]}}";

		assertThat(client.post("/fhir/Bundle", "application/fhir+json", forged).statusCode()).isEqualTo(403);
	}

	private Parameters awaitStatus(java.util.function.Predicate<String> expectation) {
		return awaitStatus(client.baseUrl(), expectation);
	}

	private HttpResponse<String> http(String url) {
		try {
			return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build().send(
					HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120)).build(),
					HttpResponse.BodyHandlers.ofString());
		} catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	private Parameters awaitStatus(String baseUrl, java.util.function.Predicate<String> expectation) {
		Instant deadline = Instant.now().plus(PROPAGATION);
		String last = "";
		while (Instant.now().isBefore(deadline)) {
			HttpResponse<String> response = http(baseUrl + "/fhir/$knowledge-status");
			last = response.statusCode() + " " + response.body();
			if (response.statusCode() == 200 && expectation.test(response.body())) {
				return fhirContext.newJsonParser().parseResource(Parameters.class, response.body());
			}
			try {
				Thread.sleep(500);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(e);
			}
		}
		throw new AssertionError("$knowledge-status of " + baseUrl + " did not show the expected knowledge within "
				+ PROPAGATION + "; last: " + last);
	}

	private static String part(Parameters.ParametersParameterComponent parameter, String name) {
		return parameter.getPart().stream()
				.filter(part -> part.getName().equals(name))
				.map(part -> part.getValue().primitiveValue())
				.findFirst()
				.orElseThrow(() -> new AssertionError("no part " + name));
	}

	private <T extends Resource> T read(Class<T> type, String id) {
		return client.fhir().read().resource(type).withId(id).execute();
	}

	private HttpResponse<String> put(Resource resource) {
		return client.send(HttpRequest.newBuilder(client.uri("/fhir/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart()))
				.header("Content-Type", "application/fhir+json")
				.PUT(HttpRequest.BodyPublishers.ofString(fhirContext.newJsonParser().encodeResourceToString(resource))));
	}

	private HttpResponse<String> post(Bundle transaction) {
		return client.post("/fhir", "application/fhir+json", fhirContext.newJsonParser().encodeResourceToString(transaction));
	}

	static String suffix() {
		return UUID.randomUUID().toString().substring(0, 8).replace("-", "");
	}

	static Bundle transaction(Resource... resources) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource resource : resources) {
			String reference = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
			bundle.addEntry().setResource(resource).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(reference);
		}
		return bundle;
	}

	static Library library(String name, String version, String definitions) {
		Library library = new Library();
		library.setId(name + "-" + version.replace('.', '-'));
		library.setUrl(BASE + "/Library/" + name);
		library.setVersion(version);
		library.setName(name);
		library.setStatus(PublicationStatus.ACTIVE);
		library.getType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/library-type").setCode("logic-library");
		String cql = "library " + name + " version '" + version + "'\nusing FHIR version '4.0.1'\ncontext Patient\n" + definitions;
		library.addContent().setContentType("text/cql").setData(cql.getBytes(StandardCharsets.UTF_8));
		return library;
	}

	static PlanDefinition plan(String name, String version, String expression) {
		PlanDefinition plan = new PlanDefinition();
		plan.setId(name.toLowerCase());
		plan.setUrl(BASE + "/PlanDefinition/" + name.toLowerCase());
		plan.setVersion(version);
		plan.setName(name);
		plan.setStatus(PublicationStatus.ACTIVE);
		plan.addLibrary(BASE + "/Library/" + name + "|" + version);
		plan.addAction()
				.setTitle("published in a test")
				.addDynamicValue()
				.setPath("title")
				.setExpression(new Expression().setLanguage("text/cql-identifier").setExpression(expression));
		return plan;
	}
}
