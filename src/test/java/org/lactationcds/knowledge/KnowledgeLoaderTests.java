package org.lactationcds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.lactationcds.support.PostgresTestServer;
import org.lactationcds.support.ServerProcess;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The knowledge is in the store once the server is ready, loading it again changes nothing, and bad CQL stops start-up. */
@PostgresIntegrationTest
class KnowledgeLoaderTests {

	@Autowired
	FhirContext fhirContext;

	@Autowired
	KnowledgeLoader loader;

	@LocalServerPort
	int port;

	IGenericClient fhir;

	@Autowired
	DaoRegistry daoRegistry;

	@BeforeEach
	void connect() {
		fhir = new FhirTestClient(fhirContext, port).fhir();
	}

	@Test
	void storeWhenServerIsReadyHoldsEveryKnowledgeResourceWithItsCql() {
		KnowledgePackage knowledge = loader.current().knowledge();

		for (Resource resource : knowledge.resources()) {
			Resource stored = (Resource) fhir.read().resource(resource.getClass()).withId(resource.getIdElement().getIdPart()).execute();
			assertThat(stored.getMeta().getVersionId()).as(resource.getId()).isNotBlank();
		}
		Library common = fhir.read().resource(Library.class).withId("LactationCommon").execute();
		assertThat(new String(common.getContentFirstRep().getData(), StandardCharsets.UTF_8))
				.isEqualTo(knowledge.cql("LactationCommon", "1.0.0"));
	}

	@Test
	void loadWhenNothingChangedCreatesNoNewVersion() {
		Map<String, String> before = storedVersions();

		loader.load();

		assertThat(storedVersions()).isEqualTo(before);
	}

	@Test
	void loadWhenAStoredResourceWasEditedRestoresThePackagedOneAsANewVersion() {
		ValueSet stored = fhir.read().resource(ValueSet.class).withId("body-weight").execute();
		int version = Integer.parseInt(stored.getMeta().getVersionId());
		stored.setTitle("Edited behind the loader's back");
		// Through the DAO as the server itself: over REST, governance refuses an in-place edit of a published version.
		stored.setId(stored.getIdElement().toUnqualifiedVersionless());
		daoRegistry.getResourceDao(ValueSet.class).update(stored, new SystemRequestDetails());

		loader.load();

		ValueSet restored = fhir.read().resource(ValueSet.class).withId("body-weight").execute();
		assertThat(restored.getTitle()).isEqualTo("Body weight");
		assertThat(Integer.parseInt(restored.getMeta().getVersionId())).isEqualTo(version + 2);
	}

	@Test
	void loadWhenANewerVersionWasPublishedKeepsItAndWhenOlderReplacesIt() {
		// A ValueSet no CQL refers to, so the shared server's evaluations are not disturbed meanwhile.
		ValueSet published = fhir.read().resource(ValueSet.class).withId("lactation-suppressant").execute();
		published.setVersion("9.0.0");
		published.setTitle("Published newer");
		fhir.update().resource(published).execute();

		loader.load();
		assertThat(fhir.read().resource(ValueSet.class).withId("lactation-suppressant").execute().getTitle())
				.isEqualTo("Published newer");

		published = fhir.read().resource(ValueSet.class).withId("lactation-suppressant").execute();
		published.setVersion("0.9.0");
		fhir.update().resource(published).execute();

		loader.load();
		ValueSet restored = fhir.read().resource(ValueSet.class).withId("lactation-suppressant").execute();
		assertThat(restored.getVersion()).isEqualTo("1.0.0");
		assertThat(restored.getTitle()).isEqualTo("Drugs that may reduce milk supply");
	}

	@Test
	void compareVersionsWhenPartsAreNumbersComparesThemAsNumbers() {
		assertThat(KnowledgeLoader.compareVersions("1.10.0", "1.9.0")).isPositive();
		assertThat(KnowledgeLoader.compareVersions("1.0.0", "1.0.0")).isZero();
		assertThat(KnowledgeLoader.compareVersions("1.0", "1.0.1")).isNegative();
		assertThat(KnowledgeLoader.compareVersions(null, "1.0.0")).isNegative();
	}

	@Test
	void startWhenPackagedCqlDoesNotCompileRefusesToStartAndNamesTheError(@TempDir Path workingDirectory) {
		PostgresTestServer.TestDatabase database = PostgresTestServer.get().createDatabase();

		ServerProcess.Failure failure = ServerProcess.startExpectingFailure(workingDirectory, Map.of(
				"SPRING_DATASOURCE_URL", database.url(),
				"SPRING_DATASOURCE_USERNAME", database.username(),
				"SPRING_DATASOURCE_PASSWORD", database.password(),
				"LACTATION_CDS_KNOWLEDGE_LOCATION", "classpath:org/lactationcds/knowledge/broken-cql"));

		assertThat(failure.exitCode()).isNotZero();
		assertThat(failure.log()).contains("CQL does not compile").contains("Broken line 13");
	}

	private Map<String, String> storedVersions() {
		return loader.current().knowledge().resources().stream().collect(Collectors.toMap(
				Resource::getId,
				resource -> ((Resource) fhir.read().resource(resource.getClass())
								.withId(resource.getIdElement().getIdPart()).execute())
						.getMeta().getVersionId()));
	}
}
