package org.lactationcds.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class RuleCatalogueTests {

	static final Path SHARED = Path.of("..", "shared", "clinical-rules.md");

	@Test
	void catalogueWhenReadListsNineteenRulesAndEightyTwoGoldenScenarios() {
		assertThat(RuleCatalogue.ruleIds()).hasSize(19).contains("RF-MASTITIS", "RELACT-MONITOR");
		assertThat(RuleCatalogue.goldenScenarioIds()).hasSize(82).contains("GS-01a", "GS-25b");
	}

	/** A change of the shared specification must be brought into the project (and its knowledge) deliberately. */
	@Test
	void catalogueWhenTheSharedSpecificationIsBesideTheProjectIsTheSameVersion() throws IOException {
		Assumptions.assumeTrue(Files.exists(SHARED), "no ../shared/clinical-rules.md beside this checkout to compare with");

		assertThat(RuleCatalogue.text())
				.as("src/test/resources" + RuleCatalogue.RESOURCE + " differs from " + SHARED + ": update the knowledge and the copy")
				.isEqualTo(Files.readString(SHARED));
	}
}
