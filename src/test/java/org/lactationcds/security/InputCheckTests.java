package org.lactationcds.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The pre-parse check: what it refuses, and that ordinary FHIR and CDS Hooks content passes. */
class InputCheckTests {

	@Test
	void bodyWhenANumberHasAnAbsurdExponentIsRefusedNamingIt() {
		assertThat(InputCheck.body(bytes("{\"valueQuantity\":{\"value\":1e999999999}}")))
				.hasValueSatisfying(problem -> assertThat(problem).contains("exponent"));
		assertThat(InputCheck.body(bytes("{\"v\":-2.5E-99999}"))).isPresent();
	}

	@Test
	void bodyWhenANumberHasTooManyDigitsIsRefused() {
		assertThat(InputCheck.body(bytes("{\"v\":" + "9".repeat(100_000) + "}")))
				.hasValueSatisfying(problem -> assertThat(problem).contains("digits"));
	}

	@Test
	void bodyWhenAStringHoldsALoneSurrogateEscapeIsRefused() {
		assertThat(InputCheck.body(bytes("{\"name\":\"a\\ud800b\"}"))).hasValueSatisfying(p -> assertThat(p).contains("UTF-16"));
		assertThat(InputCheck.body(bytes("{\"name\":\"\\udc00\"}"))).isPresent();
		assertThat(InputCheck.body(bytes("{\"name\":\"\\ud800\"}"))).isPresent();
	}

	@Test
	void bodyWhenBytesEncodeASurrogateIsRefused() {
		byte[] cesu = {'{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
		assertThat(InputCheck.body(cesu)).isPresent();
	}

	@Test
	void bodyWhenXmlCarriesAnAbsurdDecimalOrSurrogateReferenceIsRefused() {
		assertThat(InputCheck.body(bytes("<Observation><valueQuantity><value value=\"1e999999999\"/></valueQuantity></Observation>")))
				.isPresent();
		assertThat(InputCheck.body(bytes("<Patient><name><text value=\"&#xD800;\"/></name></Patient>"))).isPresent();
	}

	@Test
	void bodyWhenNestedTooDeepIsRefused() {
		assertThat(InputCheck.body(bytes("[".repeat(101) + "]".repeat(101)))).hasValueSatisfying(p -> assertThat(p).contains("nested"));
		assertThat(InputCheck.body(bytes("<a>".repeat(101)))).isPresent();
	}

	@Test
	void bodyWhenOrdinaryPasses() {
		assertThat(InputCheck.body(bytes("""
				{"resourceType":"Observation","valueQuantity":{"value":3.10,"code":"g"},"n":-12,"e":6.02e23,
				 "text":"1e999999999 in a string is text, \\ud83d\\ude00 a valid pair","data":"QUJD1e99999=="}"""))).isEmpty();
		assertThat(InputCheck.body(bytes("<Patient><birthDate value=\"2026-03-01\"/><x value=\"12.5\"/></Patient>"))).isEmpty();
		assertThat(InputCheck.body("{\"name\":\"Zoë 😀\"}".getBytes(StandardCharsets.UTF_8))).isEmpty();
	}

	@Test
	void parameterWhenANumberIsAbsurdIsRefusedAndDatesAndTokensPass() {
		assertThat(InputCheck.parameter("value-quantity", "gt1e999999999")).isPresent();
		assertThat(InputCheck.parameter("value-quantity", "1e999999999|http://unitsofmeasure.org|g")).isPresent();
		assertThat(InputCheck.parameter("name", "a\ud800")).isPresent();
		assertThat(InputCheck.parameter("date", "ge2026-03-01")).isEmpty();
		assertThat(InputCheck.parameter("code", "http://loinc.org|8310-5")).isEmpty();
		assertThat(InputCheck.parameter("value-quantity", "le38.5")).isEmpty();
		assertThat(InputCheck.parameter("identifier", "12345678901234567890")).isEmpty();
	}

	@Test
	void elementsAreObjectsArraysAndValuesButNotPropertyNames() {
		// {} [ 1 "x" {} true ] : the root, the array, three values and the inner object.
		assertThat(InputCheck.elements(bytes("{\"a\":[1,\"x\",{\"b\":true}]}"))).isEqualTo(6);
		assertThat(InputCheck.elements(bytes("  <Patient><birthDate value=\"2026-03-01\"/><!-- c --></Patient>"))).isEqualTo(2);
		assertThat(InputCheck.elements(new byte[0])).isZero();
		assertThat(InputCheck.elements(bytes("{\"a\":[1,2"))).as("broken JSON: what was read").isEqualTo(4);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}
}
