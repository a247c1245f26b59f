package org.lactationcds.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Date;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.junit.jupiter.api.Test;

/** Demo data is dated relative to the day it is loaded. */
class ExampleDataLoaderTests {

	@Test
	void everyDateMovesByTheWholeDaysFromTheTimestampToToday() {
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		transaction.setTimestamp(Date.from(Instant.parse("2026-01-15T12:00:00Z")));
		DateType birthDate = new DateType("2026-01-11");
		birthDate.addExtension("http://hl7.org/fhir/StructureDefinition/patient-birthTime", new DateTimeType("2026-01-11T08:00:00Z"));
		Patient infant = new Patient().setBirthDateElement(birthDate);
		Observation weight = new Observation().setEffective(new DateTimeType("2026-01-15T07:30:00Z"));
		Observation diapers = new Observation().setEffective(
				new Period().setStartElement(new DateTimeType("2026-01-14T08:00:00Z")).setEndElement(new DateTimeType("2026-01-15T08:00:00Z")));
		transaction.addEntry().setResource(infant);
		transaction.addEntry().setResource(weight);
		transaction.addEntry().setResource(diapers);

		long days = ExampleDataLoader.shiftToToday(transaction, Instant.parse("2026-11-21T06:00:00Z"));

		assertThat(days).isEqualTo(310);
		assertThat(infant.getBirthDateElement().getValueAsString()).isEqualTo("2026-11-17");
		assertThat(((DateTimeType) infant.getBirthDateElement().getExtensionFirstRep().getValue()).getValue().toInstant())
				.isEqualTo(Instant.parse("2026-11-17T08:00:00Z"));
		assertThat(weight.getEffectiveDateTimeType().getValue().toInstant()).isEqualTo(Instant.parse("2026-11-21T07:30:00Z"));
		assertThat(diapers.getEffectivePeriod().getEnd().toInstant()).isEqualTo(Instant.parse("2026-11-21T08:00:00Z"));
	}

	@Test
	void bundleWithoutTimestampIsRefused() {
		assertThatThrownBy(() -> ExampleDataLoader.shiftToToday(new Bundle(), Instant.now())).hasMessageContaining("timestamp");
	}
}
