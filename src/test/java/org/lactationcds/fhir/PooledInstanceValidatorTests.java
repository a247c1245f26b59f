package org.lactationcds.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pooled validator reports exactly what HAPI's validator reports, however often its instances are reused. */
class PooledInstanceValidatorTests {

	private static final List<String> BODIES = List.of(
			// valid infant weight
			"""
			{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},
			 "subject":{"reference":"Patient/infant-1"},"effectiveDateTime":"2026-01-15T08:00:00Z",
			 "valueQuantity":{"value":3250,"unit":"g","system":"http://unitsofmeasure.org","code":"g"}}""",
			// status missing
			"""
			{"resourceType":"Observation","code":{"text":"weight"}}""",
			// an element R4 does not know
			"""
			{"resourceType":"Observation","status":"final","code":{"text":"weight"},"weightInGrams":3250}""",
			// invariant broken: a Quantity with a code but no system (qty-3)
			"""
			{"resourceType":"Observation","status":"final","code":{"text":"weight"},"valueQuantity":{"value":3,"code":"g"}}""",
			// a declared profile the server does not know
			"""
			{"resourceType":"Patient","meta":{"profile":["http://example.org/fhir/StructureDefinition/unknown"]}}""",
			// a transaction with one bad entry
			"""
			{"resourceType":"Bundle","type":"transaction","entry":[
			 {"fullUrl":"urn:uuid:8f1c1c9e-3c43-4d55-9a3f-0d1c1a6f1a01","resource":{"resourceType":"Patient","birthDate":"2026-01-10"},
			  "request":{"method":"POST","url":"Patient"}},
			 {"fullUrl":"urn:uuid:8f1c1c9e-3c43-4d55-9a3f-0d1c1a6f1a02","resource":{"resourceType":"Observation","code":{"text":"w"}},
			  "request":{"method":"POST","url":"Observation"}}]}""");

	private static FhirValidator hapi;
	private static FhirValidator pooled;

	@BeforeAll
	static void validators() {
		FhirContext fhir = FhirContext.forR4Cached();
		ValidationSupportChain support = new ValidationSupportChain(
				new DefaultProfileValidationSupport(fhir),
				new InMemoryTerminologyServerValidationSupport(fhir),
				new CommonCodeSystemsTerminologyService(fhir));
		hapi = validator(fhir, new FhirInstanceValidator(support));
		pooled = validator(fhir, new PooledInstanceValidator(support));
	}

	private static FhirValidator validator(FhirContext fhir, FhirInstanceValidator module) {
		module.setNoTerminologyChecks(true);
		module.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
		FhirValidator validator = fhir.newValidator();
		validator.registerValidatorModule(module);
		return validator;
	}

	@Test
	void reportsWhatHapisValidatorReportsAcrossRepeatedUse() {
		for (int round = 0; round < 3; round++) {
			for (String body : BODIES) {
				assertThat(messages(pooled, body)).as(body).isEqualTo(messages(hapi, body));
			}
		}
	}

	@Test
	void findsTheErrorsAWriteIsRefusedFor() {
		assertThat(errors(pooled, BODIES.get(0))).isEmpty();
		assertThat(errors(pooled, BODIES.get(1))).anyMatch(m -> m.contains("Observation.status"));
		assertThat(errors(pooled, BODIES.get(2))).anyMatch(m -> m.contains("weightInGrams"));
		assertThat(errors(pooled, BODIES.get(3))).isNotEmpty();
		assertThat(errors(pooled, BODIES.get(5))).anyMatch(m -> m.contains("Observation.status"));
		// a valid body right after invalid ones carries none of their messages
		assertThat(errors(pooled, BODIES.get(0))).isEmpty();
	}

	@Test
	void concurrentValidationsKeepTheirOwnMessages() throws Exception {
		List<String> expected = new ArrayList<>();
		for (String body : BODIES) {
			expected.add(String.join("\n", messages(hapi, body)));
		}
		ExecutorService threads = Executors.newFixedThreadPool(8);
		try {
			List<Future<Boolean>> results = new ArrayList<>();
			for (int i = 0; i < 120; i++) {
				int which = i % BODIES.size();
				results.add(threads.submit(
						() -> String.join("\n", messages(pooled, BODIES.get(which))).equals(expected.get(which))));
			}
			for (Future<Boolean> result : results) {
				assertThat(result.get()).isTrue();
			}
		} finally {
			threads.shutdownNow();
		}
	}

	/**
	 * The messages, less HAPI's second "Invalid profile" message for an unknown declared profile: the validator's own
	 * error on meta.profile already says so, at the same severity, and the pooled validator reports only that one.
	 */
	private static List<String> messages(FhirValidator validator, String body) {
		return validator.validateWithResult(body).getMessages().stream()
				.filter(m -> !m.getMessage().startsWith("Invalid profile. Failed to retrieve profile"))
				.map(m -> m.getSeverity() + " " + m.getLocationString() + " " + m.getMessage())
				.sorted()
				.toList();
	}

	private static List<String> errors(FhirValidator validator, String body) {
		return validator.validateWithResult(body).getMessages().stream()
				.filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
				.map(SingleValidationMessage::getMessage)
				.toList();
	}
}
