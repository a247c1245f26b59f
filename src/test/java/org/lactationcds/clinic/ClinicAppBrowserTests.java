package org.lactationcds.clinic;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lactationcds.demo.ExampleDataLoader;
import org.lactationcds.support.Browser;
import org.lactationcds.support.BrowserExtension;
import org.lactationcds.support.FhirTestClient;
import org.lactationcds.support.PostgresIntegrationTest;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The clinic app in the system's headless Chromium, as a nurse uses it: find a dyad, record a visit whose weight (in
 * ounces) fires the critical weight-loss card, and see the card and the weight on the dyad view; the visit form
 * refuses an answer outside the Questionnaire's range with a message next to the item, and stores nothing.
 *
 * <p>Each test has the medication demo dyad under its own ids and names ("Browser", "Nurseflow"), so nothing done
 * here changes another test's demo data in the shared store.
 */
@PostgresIntegrationTest
@ExtendWith(BrowserExtension.class)
class ClinicAppBrowserTests {

	static final String MOTHER = "brw-md-mother";
	static final String INFANT = "brw-md-infant";
	static final String FLOW = "brf-md";
	static final String FLOW_NAME = "Nurseflow";
	static final String MOTHER_FLOW = FLOW + "-mother";
	static final String INFANT_FLOW = FLOW + "-infant";

	@Autowired
	FhirContext fhirContext;

	@LocalServerPort
	int port;

	FhirTestClient client;

	@BeforeEach
	void dyad() throws Exception {
		client = new FhirTestClient(fhirContext, port);
		loadDyad("brw-md-", "Browser");
		loadDyad(FLOW + "-", FLOW_NAME);
	}

	/**
	 * The medication demo dyad, moved to now, under ids {@code <prefix>mother} and {@code <prefix>infant} and family
	 * name {@code name}: born 3500 g ten days ago, 3420 g on day 7 (its later weights left out).
	 */
	void loadDyad(String prefix, String name) throws Exception {
		String demo = Files.readString(Path.of("fhir-resources/examples/dyad-medication.json"), StandardCharsets.UTF_8)
				.replace("demo-md-", prefix)
				.replace("Medication\"", name + "\""); // the names, not MedicationRequest
		Bundle transaction = fhirContext.newJsonParser().parseResource(Bundle.class, demo);
		ExampleDataLoader.shiftToNow(transaction, Instant.now());
		transaction.getEntry().removeIf(entry -> entry.getResource().getIdElement().getIdPart().startsWith(prefix + "obs-0")
				&& entry.getResource().getIdElement().getIdPart().compareTo(prefix + "obs-03") >= 0
				&& entry.getResource() instanceof Observation observation
				&& observation.getCode().getCodingFirstRep().getCode().equals("29463-7"));
		HttpResponse<String> loaded = client.post("/fhir", "application/fhir+json",
				fhirContext.newJsonParser().encodeResourceToString(transaction));
		assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
	}

	/**
	 * The whole nurse flow: search by name, record a visit with a weight of 104 oz (6 lb 8 oz, 2948 g: 15.8 % below
	 * the birth weight of 3500 g), see the Observations in the store, then on the dyad view the critical
	 * RF-INFANT-WEIGHT-LOSS card with the weight as entered and in grams, its source, and the weight on the chart.
	 */
	@Test
	void nurseFindsADyadRecordsAWeightInOuncesAndSeesTheCriticalWeightLossCardAndTheChart(Browser browser) {
		WebDriver driver = browser.driver();
		driver.get(app(""));
		browser.await("the search page's first listing").until(ExpectedConditions.textMatches(By.id("search-status"), Pattern.compile("found")));
		driver.findElement(By.id("name")).sendKeys(FLOW_NAME);
		driver.findElement(By.cssSelector("#search button[type=submit]")).click();
		WebElement row = browser.await("the dyad found by the name " + FLOW_NAME)
				.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#dyads tr[data-mother='" + MOTHER_FLOW + "']")));
		assertThat(driver.findElements(By.cssSelector("#dyads tbody tr"))).hasSize(1);
		assertThat(row.getText()).contains("Demo Mother " + FLOW_NAME, "Demo Infant " + FLOW_NAME);
		row.findElement(By.cssSelector("a.record-visit")).click();

		WebElement weight = browser.await("the infant weight field of the visit form")
				.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(itemInput("infant-weight"))));
		weight.sendKeys("104");
		chooseUnit(browser, "infant-weight", "oz");
		driver.findElement(By.id("submit-visit")).click();
		WebElement saved = browser.await("the visit saved")
				.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#submit-status.ok, #submit-status.error")));
		assertThat(saved.getAttribute("class")).as(saved.getText()).isEqualTo("ok");
		assertThat(saved.getText()).startsWith("Visit saved:");

		// The store, searched over HTTP as any FHIR client would: the weight as entered, in UCUM ounces.
		HttpResponse<String> stored = client.get("/fhir/Observation?subject=Patient/" + INFANT_FLOW
				+ "&code=http://loinc.org%7C29463-7&value-quantity=104%7Chttp://unitsofmeasure.org%7C%5Boz_av%5D");
		assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
		Bundle weights = fhirContext.newJsonParser().parseResource(Bundle.class, stored.body());
		assertThat(weights.getEntry()).as(stored.body()).hasSize(1);
		Observation recorded = (Observation) weights.getEntryFirstRep().getResource();
		assertThat(recorded.getValueQuantity().getValue()).isEqualByComparingTo("104");
		assertThat(recorded.getValueQuantity().getCode()).isEqualTo("[oz_av]");
		assertThat(recorded.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);

		driver.findElement(By.id("open-dyad-after-save")).click();
		WebElement card = browser.await("the RF-INFANT-WEIGHT-LOSS card on the dyad view")
				.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".card[data-rule='RF-INFANT-WEIGHT-LOSS']")));
		assertThat(card.getAttribute("class")).contains("critical");
		assertThat(card.findElement(By.className("summary")).getText())
				.startsWith("Infant weight loss 15.8% of birth weight (>10%) on day ")
				.endsWith(": urgent feeding evaluation needed");
		assertThat(card.findElement(By.className("detail")).getText())
				.contains("birth weight 3,500 g; weight 104 oz (2,948 g) on ", "loss 552 g = 15.8%");
		assertThat(card.findElement(By.className("source")).getText()).startsWith("Source: Lactation CDS · RF-INFANT-WEIGHT-LOSS · ");
		browser.await("the weight chart").until(ExpectedConditions.attributeToBe(By.id("weight-chart"), "data-points", "2"));
		assertThat(driver.findElement(By.id("weight-chart")).getAttribute("data-loss-lines")).isEqualTo("7,10");
		assertThat(driver.findElement(By.id("weights")).getText()).contains("3420 g", "2948 g", "-15.8 %");
		assertThat(driver.findElement(By.id("weight-summary")).getText()).contains("Birth weight 3500 g.", "Latest 2948 g");

		// The same card as an EHR receives it links to this dyad view by the Patient id alone; the link opens it.
		String dyadView = dyadViewLinkOfTheWeightLossCard(MOTHER_FLOW);
		assertThat(dyadView).isEqualTo(app("dyad.html?patient=" + MOTHER_FLOW));
		driver.get(dyadView);
		browser.await("the dyad view opened from the card's link")
				.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dyad-title"), "Demo Infant " + FLOW_NAME));
		browser.await("the RF-INFANT-WEIGHT-LOSS card on the dyad view opened from the link")
				.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".card.critical[data-rule='RF-INFANT-WEIGHT-LOSS']")));
		browser.await("the weight chart opened from the link").until(ExpectedConditions.attributeToBe(By.id("weight-chart"), "data-points", "2"));
	}

	/** The patient-view service called as an EHR calls it: the URL of the weight-loss card's dyad view link. */
	String dyadViewLinkOfTheWeightLossCard(String patientId) {
		ObjectMapper json = new ObjectMapper();
		var call = json.createObjectNode();
		call.put("hookInstance", java.util.UUID.randomUUID().toString());
		call.put("hook", "patient-view");
		call.putObject("context").put("userId", "Practitioner/example").put("patientId", patientId);
		HttpResponse<String> response = client.post("/cds-services/lactation-patient-view", "application/json", call.toString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		try {
			for (JsonNode card : json.readTree(response.body()).get("cards")) {
				if (card.at("/source/topic/code").asText().equals("RF-INFANT-WEIGHT-LOSS")) {
					JsonNode links = card.get("links");
					JsonNode last = links.get(links.size() - 1);
					assertThat(last.get("type").asText()).isEqualTo("absolute");
					return last.get("url").asText();
				}
			}
		} catch (java.io.IOException e) {
			throw new IllegalStateException("the CDS service answered with JSON that cannot be read: " + response.body(), e);
		}
		throw new AssertionError("no RF-INFANT-WEIGHT-LOSS card for Patient/" + patientId + ": " + response.body());
	}

	/**
	 * The chart's loss lines come from the knowledge the server runs: the defaults of the CQL parameters of the
	 * configuration library the red-flag rules read, the same that decide the cards.
	 */
	@Test
	void weightLossThresholdsAreReadFromTheRunningKnowledge() throws Exception {
		HttpResponse<String> response = client.get("/app/api/weight-loss-thresholds");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode thresholds = new ObjectMapper().readTree(response.body());
		assertThat(thresholds.get("warningPercent").asInt()).isEqualTo(7);
		assertThat(thresholds.get("criticalPercent").asInt()).isEqualTo(10);
		assertThat(thresholds.get("library").asText()).startsWith("http://lactation-cds.org/fhir/Library/LactationConfig|");
		assertThat(Files.readString(Path.of("fhir-resources/input/cql/LactationConfig.cql"), StandardCharsets.UTF_8))
				.contains("parameter \"Weight Loss Warning Percent\" Integer default 7",
						"parameter \"Weight Loss Critical Percent\" Integer default 10");
	}

	/**
	 * Chooses a unit in LHC-Forms' unit field of a quantity item. Its list (autocomplete-lhc) numbers the entries
	 * ("4: oz"): the entry is picked by the unit's display after that number, and the field then shows the display.
	 */
	static void chooseUnit(Browser browser, String linkId, String display) {
		WebElement unit = browser.driver().findElement(By.cssSelector("input[id^='unit_" + linkId + "/']"));
		unit.click();
		WebElement entry = browser.await("the unit " + display + " in the unit list of " + linkId).until(driver ->
				driver.findElements(By.cssSelector("#lhc-tools-searchResults li")).stream()
						.filter(WebElement::isDisplayed)
						.filter(li -> li.getText().replace('\u00a0', ' ').replaceFirst("^\\d+:\\s*", "").trim().equals(display))
						.findFirst().orElse(null));
		entry.click();
		browser.await("the unit field showing " + display).until(ExpectedConditions.attributeToBe(unit, "value", display));
	}

	String app(String path) {
		return "http://127.0.0.1:" + port + "/app/" + path;
	}

	@Test
	void visitWhenCountIsOutOfRangeShowsAMessageNextToTheItemAndStoresNothing(Browser browser) {
		browser.driver().get(app("visit.html?mother=" + MOTHER + "&infant=" + INFANT));
		WebElement diapers = browser.await("the wet diapers field of the visit form")
				.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(itemInput("wet-diapers-24h"))));
		diapers.sendKeys("40");
		browser.driver().findElement(By.id("submit-visit")).click();

		WebElement status = browser.await("the refusal").until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#submit-status.error")));
		assertThat(status.getText()).startsWith("Please correct the answers marked in the form");
		WebElement item = diapers.findElement(By.xpath("ancestor::lhc-item[1]"));
		assertThat(item.getText()).contains("must").contains("30");
		assertThat(client.fhir().search().forResource("QuestionnaireResponse")
				.where(org.hl7.fhir.r4.model.QuestionnaireResponse.SUBJECT.hasId("Patient/" + MOTHER))
				.returnBundle(Bundle.class).execute().getEntry()).isEmpty();
	}

	/** The visit form opens with what is on record ($populate): the birth weight and the last weight, read only. */
	@Test
	void visitFormShowsTheBirthWeightAndLastWeightOnRecord(Browser browser) {
		browser.driver().get(app("visit.html?mother=" + MOTHER + "&infant=" + INFANT));
		WebElement birthWeight = browser.await("the birth weight on record in the visit form")
				.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(itemInput("recorded-birth-weight"))));
		browser.await("the birth weight prefilled").until(driver -> !birthWeight.getAttribute("value").isEmpty());
		assertThat(birthWeight.getAttribute("value")).isEqualTo("3500");
		assertThat(browser.driver().findElement(By.cssSelector("input[id^='unit_recorded-birth-weight/']")).getAttribute("value"))
				.isEqualTo("g");
		assertThat(browser.driver().findElement(By.cssSelector(itemInput("last-weight"))).getAttribute("value")).isEqualTo("3420");
		assertThat(browser.driver().findElement(By.cssSelector(itemInput("infant-weight"))).getAttribute("value")).isEmpty();
	}

	/** LHC-Forms gives an item's input the id linkId/instance path (and its unit field unit_linkId/...). */
	static String itemInput(String linkId) {
		return "input[id^='" + linkId + "/']";
	}
}
