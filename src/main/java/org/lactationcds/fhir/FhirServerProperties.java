package org.lactationcds.fhir;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the FHIR REST server.
 *
 * @param validateRequests validate every resource written (create, update, transaction entries) against the FHIR R4
 *     base specification and reject errors with 422 and an OperationOutcome. Off only for bulk back-loading of data
 *     already known to be valid.
 * @param defaultPageSize search results per page when the client sends no {@code _count}
 * @param maxPageSize the largest {@code _count} honoured
 */
@ConfigurationProperties("lactation-cds.fhir")
public record FhirServerProperties(
		@DefaultValue("true") boolean validateRequests,
		@DefaultValue("20") int defaultPageSize,
		@DefaultValue("500") int maxPageSize) {

	public FhirServerProperties {
		if (defaultPageSize < 1 || maxPageSize < defaultPageSize) {
			throw new IllegalArgumentException("lactation-cds.fhir: need 1 <= default-page-size <= max-page-size, got "
					+ defaultPageSize + " and " + maxPageSize);
		}
	}
}
