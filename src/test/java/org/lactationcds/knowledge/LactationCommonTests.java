package org.lactationcds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hl7.elm.r1.VersionedIdentifier;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Observation.ObservationStatus;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Type;
import org.hl7.fhir.r4.model.BooleanType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencds.cqf.cql.engine.execution.ExpressionResult;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.opencds.cqf.fhir.cql.LibraryEngine;
import org.opencds.cqf.fhir.utility.repository.InMemoryFhirRepository;

/**
 * The conventions of clinical-rules.md section 0.1, as the CQL engine evaluates LactationCommon: unit conversion,
 * day of life across the birth time, status filtering and finding positivity.
 */
class LactationCommonTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static final ZonedDateTime NOW = ZonedDateTime.of(2025, 3, 10, 8, 0, 0, 0, ZoneOffset.UTC);

	static Map<String, Object> results;
	static Map<String, Object> resultsWithoutBirthTime;

	@BeforeAll
	static void evaluate() throws IOException {
		KnowledgePackage knowledge = new KnowledgePackageReader(FHIR).read("classpath:fhir-resources");
		InMemoryFhirRepository repository = new InMemoryFhirRepository(FHIR);
		knowledge.resources().forEach(repository::update);
		repository.update(checksLibrary());

		LibraryEngine engine = new LibraryEngine(repository, EvaluationSettings.getDefault());
		results = evaluate(engine, "inf-01");
		resultsWithoutBirthTime = evaluate(engine, "inf-02");
	}

	private static Map<String, Object> evaluate(LibraryEngine engine, String patientId) {
		var result = engine.getEvaluationResult(
				new VersionedIdentifier().withId("LactationCommonChecks").withVersion("1.0.0"),
				patientId, null, null, patientData(), null, null, NOW, null);
		return result.getExpressionResults().entrySet().stream()
				.filter(entry -> entry.getValue().getValue() != null)
				.collect(Collectors.toMap(Map.Entry::getKey, entry -> ((ExpressionResult) entry.getValue()).getValue()));
	}

	@Test
	void gramsWhenUnitIsUcumConvertsToWholeGrams() {
		assertThat(results.get("3.5 kg")).isEqualTo(3500);
		assertThat(results.get("3250 g")).isEqualTo(3250);
		assertThat(results.get("7.75 lb")).isEqualTo(3515);
		assertThat(results.get("12 oz")).isEqualTo(340);
	}

	@Test
	void gramsWhenUnitIsUnknownIsNullRatherThanAGuess() {
		assertThat(results).doesNotContainKey("3.5 stone");
	}

	@Test
	void celsiusWhenFahrenheitConvertsExactly() {
		assertThat((BigDecimal) results.get("100.4 degF")).isEqualByComparingTo("38.0");
		assertThat((BigDecimal) results.get("37.2 Cel")).isEqualByComparingTo("37.2");
	}

	@Test
	void millilitresWhenUsFluidOuncesConverts() {
		// CQL decimals carry 8 digits after the point.
		assertThat((BigDecimal) results.get("2 fl oz")).isEqualByComparingTo("59.14705912");
	}

	@Test
	void dayOfLifeWhenBirthTimeIsRecordedCountsWhole24HourPeriodsFromIt() {
		assertThat(results.get("Birth time").toString()).startsWith("2025-03-01T08:00");
		assertThat(results.get("Day one minute before D+3")).isEqualTo(2);
		assertThat(results.get("Day at D+3")).isEqualTo(3);
	}

	@Test
	void dayOfLifeWhenOnlyBirthDateIsRecordedCountsFromMidnight() {
		assertThat(resultsWithoutBirthTime.get("Birth time").toString()).startsWith("2025-03-01T00:00:00");
		// Midnight birth: 2025-03-04T07:59Z is already day 3.
		assertThat(resultsWithoutBirthTime.get("Day one minute before D+3")).isEqualTo(3);
		assertThat(resultsWithoutBirthTime.get("Day at D+3")).isEqualTo(3);
	}

	@Test
	void dayOfLifeWhenTimesAreWrittenInDifferentUtcOffsetsCountsBetweenInstants() {
		assertThat(results.get("Day at D+3 written at +05:30")).isEqualTo(3);
		assertThat(results.get("Day one minute before D+3 written at -05:00")).isEqualTo(2);
		assertThat(results.get("Day from a -05:00 birth to a +05:30 reading, one minute short")).isEqualTo(2);
		assertThat(results.get("Day from a -05:00 birth to a +05:30 reading")).isEqualTo(3);
		assertThat(results.get("Day before birth")).isEqualTo(-1);
	}

	@Test
	void birthTimeWhenOnlyTheDateIsRecordedIsMidnightInTheClinicalTimeZoneNotTheJvms() {
		assertThat(resultsWithoutBirthTime.get("Birth time at -05:00").toString()).startsWith("2025-03-01T00:00:00").contains("-05:00");
		// Midnight at -05:00 is 05:00Z: 2025-03-04T04:59Z is still day 2 there, day 3 in UTC.
		assertThat(resultsWithoutBirthTime.get("Birth time").toString()).contains("2025-03-01T00:00:00");
	}

	@Test
	void futureWhenMoreThanOneHourAfterNow() {
		assertThat(results.get("Future reading")).isEqualTo(true);
		assertThat(results.get("Reading within the hour")).isEqualTo(false);
	}

	@Test
	void validWhenStatusIsNotFinalAmendedOrCorrectedLeavesTheObservationOut() {
		assertThat(results.get("Valid weight count")).isEqualTo(3);
		// The entered-in-error 2900 g and the preliminary 2950 g are later, but do not count.
		assertThat(results.get("Latest weight in grams")).isEqualTo(3280);
	}

	@Test
	void findingWhenValueIsAbsentTrueOrPresentIsPositiveAndWhenFalseOrAbsentIsNegative() {
		assertThat(ids(results.get("Positive findings"))).containsExactlyInAnyOrder("no-value", "true", "present");
		assertThat(ids(results.get("Negative findings"))).containsExactlyInAnyOrder("false", "absent");
	}

	private static List<String> ids(Object value) {
		return ((List<?>) value).stream().map(id -> id.toString().replaceAll(".*Observation/", "")).toList();
	}

	private static Library checksLibrary() throws IOException {
		try (InputStream cql = LactationCommonTests.class.getResourceAsStream("LactationCommonChecks.cql")) {
			Library library = new Library();
			library.setId("LactationCommonChecks");
			library.setUrl("http://lactation-cds.org/fhir/test/Library/LactationCommonChecks");
			library.setName("LactationCommonChecks");
			library.setVersion("1.0.0");
			library.addContent().setContentType("text/cql").setData(cql.readAllBytes());
			return library;
		}
	}

	private static Bundle patientData() {
		Patient infant = new Patient();
		// Typed ids, as HAPI's parser produces them: the engine matches the context patient by them.
		infant.setId("Patient/inf-01");
		DateType birthDate = new DateType("2025-03-01");
		birthDate.addExtension("http://hl7.org/fhir/StructureDefinition/patient-birthTime",
				new DateTimeType("2025-03-01T08:00:00Z"));
		infant.setBirthDateElement(birthDate);

		Patient infantWithoutBirthTime = new Patient();
		infantWithoutBirthTime.setId("Patient/inf-02");
		infantWithoutBirthTime.setBirthDateElement(new DateType("2025-03-01"));

		Bundle data = new Bundle().setType(Bundle.BundleType.COLLECTION);
		data.addEntry().setResource(infant);
		data.addEntry().setResource(infantWithoutBirthTime);
		data.addEntry().setResource(weight("w1", ObservationStatus.FINAL, 3300, "2025-03-03T08:00:00Z"));
		data.addEntry().setResource(weight("w2", ObservationStatus.AMENDED, 3290, "2025-03-04T08:00:00Z"));
		data.addEntry().setResource(weight("w3", ObservationStatus.CORRECTED, 3280, "2025-03-05T08:00:00Z"));
		data.addEntry().setResource(weight("w4", ObservationStatus.ENTEREDINERROR, 2900, "2025-03-06T08:00:00Z"));
		data.addEntry().setResource(weight("w5", ObservationStatus.PRELIMINARY, 2950, "2025-03-07T08:00:00Z"));
		data.addEntry().setResource(finding("no-value", null));
		data.addEntry().setResource(finding("true", new BooleanType(true)));
		data.addEntry().setResource(finding("present", concept("52101004", "Present")));
		data.addEntry().setResource(finding("false", new BooleanType(false)));
		data.addEntry().setResource(finding("absent", concept("2667000", "Absent")));
		return data;
	}

	private static Observation weight(String id, ObservationStatus status, int grams, String effective) {
		Observation weight = observation(id, "http://loinc.org", "29463-7", effective);
		weight.setStatus(status);
		weight.setValue(new Quantity().setValue(grams).setSystem("http://unitsofmeasure.org").setCode("g").setUnit("g"));
		return weight;
	}

	private static Observation finding(String id, Type value) {
		Observation finding = observation(id, "http://snomed.info/sct", "53430007", "2025-03-05T08:00:00Z");
		finding.setValue(value);
		return finding;
	}

	private static Observation observation(String id, String system, String code, String effective) {
		Observation observation = new Observation();
		observation.setId(id);
		observation.setStatus(ObservationStatus.FINAL);
		observation.setCode(new CodeableConcept(new Coding(system, code, null)));
		observation.setSubject(new Reference("Patient/inf-01"));
		observation.setEffective(new DateTimeType(effective));
		return observation;
	}

	private static CodeableConcept concept(String code, String display) {
		return new CodeableConcept(new Coding("http://snomed.info/sct", code, display));
	}
}
