package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;

/** Resources in a CDS request are read as FHIR wrote them. */
class CdsRequestParserTests {

	private final ObjectMapper json = new ObjectMapper();
	private final CdsRequestParser parser = new CdsRequestParser(json, FhirContext.forR4Cached());

	@Test
	void aDecimalKeepsTheDigitsItWasWrittenWith() {
		Observation temperature = (Observation) parser.parseResource(readTree("""
				{"resourceType":"Observation","status":"final","code":{"text":"temperature"},
				 "valueQuantity":{"value":38.10,"unit":"Cel"}}"""), "prefetch.obs");

		assertThat(temperature.getValueQuantity().getValueElement().getValueAsString()).isEqualTo("38.10");
	}

	@Test
	void somethingThatIsNotAResourceIsABadRequestNamingWhereItSits() {
		assertThatThrownBy(() -> parser.parseResource(json.readTree("[1, 2]"), "prefetch.obs"))
				.isInstanceOf(CdsRequestException.class)
				.hasMessageContaining("prefetch.obs");
		assertThatThrownBy(() -> parser.parseResource(json.readTree("{\"resourceType\":\"NoSuchType\"}"), "prefetch.obs"))
				.isInstanceOf(CdsRequestException.class)
				.hasMessageContaining("prefetch.obs is not a valid FHIR R4 resource");
	}

	/** As the parser reads a request body: through its own reader, which keeps decimals exact. */
	private JsonNode readTree(String resource) {
		String body = "{\"hook\":\"patient-view\",\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\","
				+ "\"context\":{\"userId\":\"Practitioner/1\",\"patientId\":\"mother\"},\"prefetch\":{\"obs\":" + resource + "}}";
		return parser.parse(body, Hook.PATIENT_VIEW).prefetch().get("obs");
	}
}
