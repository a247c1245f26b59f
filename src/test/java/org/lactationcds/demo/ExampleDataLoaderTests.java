package org.lactationcds.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.junit.jupiter.api.Test;

/** Demo data is dated relative to the moment it is loaded. */
class ExampleDataLoaderTests {

	@Test
	void timesMoveByExactlyTheSpanFromTheTimestampToNowSoEarlyInTheDayNothingIsInTheFuture() {
		Bundle transaction = demoShapedBundle();

		long days = ExampleDataLoader.shiftToNow(transaction, Instant.parse("2026-11-21T00:16:00Z"));

		assertThat(days).isEqualTo(310);
		assertThat(weight(transaction)).isEqualTo(Instant.parse("2026-11-20T19:46:00Z"));
		assertThat(diapersEnd(transaction)).isEqualTo(Instant.parse("2026-11-20T20:16:00Z"));
		assertThat(birthTime(transaction)).isEqualTo(Instant.parse("2026-11-16T20:16:00Z"));
		assertThat(infant(transaction).getBirthDateElement().getValueAsString())
				.as("birthDate follows the moved birthTime")
				.isEqualTo("2026-11-16");
		assertThat(mother(transaction).getBirthDateElement().getValueAsString())
				.as("a date without a time moves by whole calendar days")
				.isEqualTo("1994-04-20");
	}

	@Test
	void lateInTheDayTheSpansBetweenReadingsAreKeptAndTheLastMinuteIsNotRoundedUp() {
		Bundle transaction = demoShapedBundle();

		long days = ExampleDataLoader.shiftToNow(transaction, Instant.parse("2026-11-21T23:59:30Z"));

		assertThat(days).isEqualTo(310);
		assertThat(weight(transaction)).isEqualTo(Instant.parse("2026-11-21T19:29:00Z"));
		assertThat(birthTime(transaction)).isEqualTo(Instant.parse("2026-11-17T19:59:00Z"));
		assertThat(infant(transaction).getBirthDateElement().getValueAsString()).isEqualTo("2026-11-17");
		assertThat(Duration.between(birthTime(transaction), weight(transaction)))
				.as("the infant's age at the weighing is as written")
				.isEqualTo(Duration.between(Instant.parse("2026-01-11T08:00:00Z"), Instant.parse("2026-01-15T07:30:00Z")));
	}

	private static Bundle demoShapedBundle() {
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		transaction.setTimestamp(Date.from(Instant.parse("2026-01-15T12:00:00Z")));
		DateType birthDate = new DateType("2026-01-11");
		birthDate.addExtension("http://hl7.org/fhir/StructureDefinition/patient-birthTime", new DateTimeType("2026-01-11T08:00:00Z"));
		transaction.addEntry().setResource(new Patient().setBirthDateElement(birthDate));
		transaction.addEntry().setResource(new Patient().setBirthDateElement(new DateType("1993-06-14")));
		transaction.addEntry().setResource(new Observation().setEffective(new DateTimeType("2026-01-15T07:30:00Z")));
		transaction.addEntry().setResource(new Observation().setEffective(
				new Period().setStartElement(new DateTimeType("2026-01-14T08:00:00Z")).setEndElement(new DateTimeType("2026-01-15T08:00:00Z"))));
		return transaction;
	}

	private static Patient infant(Bundle transaction) {
		return (Patient) transaction.getEntry().get(0).getResource();
	}

	private static Patient mother(Bundle transaction) {
		return (Patient) transaction.getEntry().get(1).getResource();
	}

	private static Instant birthTime(Bundle transaction) {
		return ((DateTimeType) infant(transaction).getBirthDateElement().getExtensionFirstRep().getValue()).getValue().toInstant();
	}

	private static Instant weight(Bundle transaction) {
		return ((Observation) transaction.getEntry().get(2).getResource()).getEffectiveDateTimeType().getValue().toInstant();
	}

	private static Instant diapersEnd(Bundle transaction) {
		return ((Observation) transaction.getEntry().get(3).getResource()).getEffectivePeriod().getEnd().toInstant();
	}

	@Test
	void bundleWithoutTimestampIsRefused() {
		assertThatThrownBy(() -> ExampleDataLoader.shiftToNow(new Bundle(), Instant.now())).hasMessageContaining("timestamp");
	}
}
