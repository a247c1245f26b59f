package org.lactationcds.clinic;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The chart's weight-loss lines, read from the compiled knowledge the server runs (no browser needed). */
@PostgresIntegrationTest
class WeightLossThresholdsControllerTests {

	@Autowired
	FhirContext fhirContext;

	@LocalServerPort
	int port;

	@Test
	void thresholdsWhenRulesIncludeTheConfigurationLibraryAnswersItsParameterDefaults() throws Exception {
		HttpResponse<String> response = new FhirTestClient(fhirContext, port).get(WeightLossThresholdsController.PATH);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode thresholds = new ObjectMapper().readTree(response.body());
		assertThat(thresholds.get("rule").asText()).isEqualTo("RF-INFANT-WEIGHT-LOSS");
		assertThat(thresholds.get("warningPercent").asInt()).isEqualTo(7);
		assertThat(thresholds.get("criticalPercent").asInt()).isEqualTo(10);
		assertThat(thresholds.get("library").asText()).isEqualTo("http://lactation-cds.org/fhir/Library/LactationConfig|1.0.0");
	}
}
