package org.lactationcds.clinic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.Browser;
import org.lactationcds.support.BrowserExtension;
import org.lactationcds.support.ServerProcess;
import org.lactationcds.support.TestHttp;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The clinic app on the embedded default (H2, no FHIR issuers, demo dyads loaded), as a separate server process: the
 * dyad view works without login or launch, with its cards from {@code /app/api/cards}; the launch page says that
 * SMART launch is not configured; {@code $populate} takes its subject as SDC's Reference in a POSTed Parameters.
 */
@ExtendWith(BrowserExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClinicAppOpenDefaultTests {

	@TempDir
	static Path workingDirectory;

	final ObjectMapper json = new ObjectMapper();
	ServerProcess server;

	@BeforeAll
	void start() {
		server = ServerProcess.start(workingDirectory, Map.of(), Duration.ofMinutes(10));
	}

	@AfterAll
	void stop() {
		if (server != null) {
			server.close();
		}
	}

	@Test
	void dyadViewOfOnePatientShowsTheDyadItsCardsWeightsAndTemperaturesWithoutLogin(Browser browser) {
		WebDriver driver = browser.driver();
		driver.get(server.baseUrl() + "/app/dyad.html?patient=demo-wl-mother");
		WebElement card = browser.await("the RF-INFANT-WEIGHT-LOSS card of the weight-loss demo dyad")
				.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".card.critical[data-rule='RF-INFANT-WEIGHT-LOSS']")));
		assertThat(card.findElement(By.className("summary")).getText()).startsWith("Infant weight loss ");
		assertThat(card.findElements(By.cssSelector(".links a"))).as("the card's links").isNotEmpty();
		browser.await("the dyad's names in the title")
				.until(ExpectedConditions.textMatches(By.id("dyad-title"), Pattern.compile("Demo Mother .* and Demo Infant .*\\(born ")));
		browser.await("the infant's weights on the chart")
				.until(ExpectedConditions.attributeToBeNotEmpty(driver.findElement(By.id("weight-chart")), "data-points"));
		assertThat(driver.findElement(By.id("weight-summary")).getText()).contains("Birth weight 3400 g.");
		assertThat(driver.findElement(By.cssSelector("#temperatures tbody")).getText()).doesNotContain("Cannot read");
		assertThat(driver.findElement(By.id("visit-link")).getAttribute("href"))
				.endsWith("visit.html?mother=demo-wl-mother&infant=demo-wl-infant");

		driver.get(server.baseUrl() + "/app/dyad.html");
		browser.await("the dyad view without a patient saying so")
				.until(ExpectedConditions.textMatches(By.cssSelector("#weight-summary.error"), Pattern.compile("no patient in the address")));
		assertThat(driver.findElements(By.cssSelector(".card"))).isEmpty();
	}

	@Test
	void launchPageWithoutSmartConfigurationSaysSo(Browser browser) throws Exception {
		HttpResponse<String> config = TestHttp.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/app/api/smart-launch")));
		assertThat(config.statusCode()).isEqualTo(404);
		assertThat(json.readTree(config.body()).get("message").asText()).contains("lactation-cds.smart.app-client-id");

		browser.driver().get(server.baseUrl() + "/app/launch.html?iss=" + server.baseUrl() + "/fhir&launch=abc");
		browser.await("the launch page's error")
				.until(ExpectedConditions.textMatches(By.id("launch-status"), Pattern.compile("^Cannot launch: SMART app launch is not configured")));
	}

	@Test
	void cardsOfAnUnknownOrMalformedPatientAre4xxWithAMessage() throws Exception {
		HttpResponse<String> unknown = TestHttp.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/app/api/cards?patient=no-such-patient")));
		assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
		assertThat(json.readTree(unknown.body()).get("message").asText()).contains("Patient/no-such-patient");
		HttpResponse<String> missing = TestHttp.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/app/api/cards")));
		assertThat(missing.statusCode()).as(missing.body()).isEqualTo(400);
		assertThat(json.readTree(missing.body()).get("message").asText()).contains("?patient=");
	}

	@Test
	void populateByPostTakesTheSubjectAsValueReference() throws Exception {
		JsonNode byReference = populate("{\"valueReference\":{\"reference\":\"Patient/demo-wl-infant\"}}", 200);
		assertThat(byReference.at("/subject/reference").asText()).isEqualTo("Patient/demo-wl-mother");
		JsonNode byString = populate("{\"valueString\":\"Patient/demo-wl-infant\"}", 200);
		assertThat(byString.at("/subject/reference").asText()).isEqualTo("Patient/demo-wl-mother");
		JsonNode wrongType = populate("{\"valueReference\":{\"reference\":\"Observation/demo-wl-obs-01\"}}", 400);
		assertThat(wrongType.toString()).contains("must be Patient/<id>");
		assertThat(populate("{\"valueCoding\":{\"code\":\"x\"}}", 400).toString()).contains("valueReference");
	}

	JsonNode populate(String subjectValue, int expectedStatus) throws Exception {
		String body = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"subject\"," + subjectValue.substring(1) + "]}";
		HttpResponse<String> response = TestHttp.send(HttpRequest.newBuilder(
						URI.create(server.baseUrl() + "/fhir/Questionnaire/lactation-visit/$populate"))
				.header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString(body)));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
		return json.readTree(response.body());
	}
}
