package org.lactationcds.fhir;

import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;

/**
 * Picks HAPI's own Hibernate dialect from the JDBC URL, so that the standard Spring datasource settings alone select
 * the database. HAPI's dialects (not Hibernate's) are needed: they carry HAPI's column and sequence conventions.
 */
final class HapiDialects {

	private HapiDialects() {}

	static String forJdbcUrl(String jdbcUrl) {
		if (jdbcUrl == null) {
			throw new IllegalArgumentException("spring.datasource.url is not set");
		}
		if (jdbcUrl.startsWith("jdbc:postgresql:")) {
			return HapiFhirPostgresDialect.class.getName();
		}
		if (jdbcUrl.startsWith("jdbc:h2:")) {
			return HapiFhirH2Dialect.class.getName();
		}
		throw new IllegalArgumentException("Unsupported database URL '" + jdbcUrl
				+ "': use a jdbc:postgresql: URL (production) or jdbc:h2: (embedded)");
	}
}
