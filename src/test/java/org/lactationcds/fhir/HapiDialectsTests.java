package org.lactationcds.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;
import org.junit.jupiter.api.Test;

class HapiDialectsTests {

	@Test
	void forJdbcUrlWhenPostgresReturnsHapisPostgresDialect() {
		assertThat(HapiDialects.forJdbcUrl("jdbc:postgresql://db.example.org:5432/lactation?sslmode=require"))
				.isEqualTo(HapiFhirPostgresDialect.class.getName());
	}

	@Test
	void forJdbcUrlWhenH2FileReturnsHapisH2Dialect() {
		assertThat(HapiDialects.forJdbcUrl("jdbc:h2:file:./data/lactation-cds")).isEqualTo(HapiFhirH2Dialect.class.getName());
	}

	@Test
	void forJdbcUrlWhenDatabaseIsUnsupportedNamesTheUrlAndTheSupportedOnes() {
		assertThatThrownBy(() -> HapiDialects.forJdbcUrl("jdbc:mysql://localhost/lactation"))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("jdbc:mysql://localhost/lactation")
				.hasMessageContaining("jdbc:postgresql:");
	}
}
