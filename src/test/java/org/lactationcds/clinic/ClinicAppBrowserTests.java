package org.lactationcds.clinic;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The clinic app in the system's headless Chromium, as a nurse uses it: the visit form refuses an answer outside the
 * Questionnaire's range with a message next to the item, and stores nothing.
 *
 * <p>The dyad is the medication demo dyad under its own ids and names ("Browser"), so nothing done here changes
 * another test's demo data in the shared store.
 */
@PostgresIntegrationTest
@ExtendWith(BrowserExtension.class)
class ClinicAppBrowserTests {

	static final String MOTHER = "brw-md-mother";
	static final String INFANT = "brw-md-infant";

	@Autowired
	FhirContext fhirContext;

	@LocalServerPort
	int port;

	FhirTestClient client;

	@BeforeEach
	void dyad() throws Exception {
		client = new FhirTestClient(fhirContext, port);
		String demo = Files.readString(Path.of("fhir-resources/examples/dyad-medication.json"), StandardCharsets.UTF_8)
				.replace("demo-md-", "brw-md-")
				.replace("Medication\"", "Browser\""); // the names, not MedicationRequest
		Bundle transaction = fhirContext.newJsonParser().parseResource(Bundle.class, demo);
		ExampleDataLoader.shiftToNow(transaction, Instant.now());
		transaction.getEntry().removeIf(entry -> entry.getResource().getIdElement().getIdPart().startsWith("brw-md-obs-0")
				&& entry.getResource().getIdElement().getIdPart().compareTo("brw-md-obs-03") >= 0
				&& entry.getResource() instanceof Observation observation
				&& observation.getCode().getCodingFirstRep().getCode().equals("29463-7"));
		HttpResponse<String> loaded = client.post("/fhir", "application/fhir+json",
				fhirContext.newJsonParser().encodeResourceToString(transaction));
		assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
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

	/** LHC-Forms gives an item's input the id linkId/instance path (and its unit field unit_linkId/...). */
	static String itemInput(String linkId) {
		return "input[id^='" + linkId + "/']";
	}
}
