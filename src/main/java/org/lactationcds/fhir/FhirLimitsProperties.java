package org.lactationcds.fhir;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Budgets that keep one FHIR REST request from holding the server: what a search may ask of the database, how large a
 * transaction may be, and how long any one SQL statement may run. Over a budget: 400 (search) or 413 (transaction),
 * with an OperationOutcome that names the limit and its property.
 *
 * @param maxSortKeys most {@code _sort} keys in one search (a repeated key is refused whatever this says)
 * @param maxIncludes most {@code _include} plus {@code _revinclude} values in one search
 * @param maxChainDepth most links in one chained parameter ({@code subject.organization.name} is 2; {@code _has} counts too)
 * @param maxOrValues most comma-separated values in one search parameter
 * @param maxTransactionEntries most entries in a transaction or batch Bundle
 * @param maxTransactionBytes largest transaction or batch body
 * @param queryTimeout longest any one SQL statement may run before the database cancels it (PostgreSQL
 *     {@code statement_timeout}, H2 {@code QUERY_TIMEOUT}); 0 switches it off
 * @param maxBodyElements most elements (JSON objects, arrays and values; XML elements) in one request body: parsing
 *     and validating a body cost time and memory in proportion to them (413 above)
 * @param maxElementsInProgress most body elements being parsed, validated and stored at once, all requests together:
 *     bounds the memory writes take; a request that finds no room waits
 * @param elementsWait how long a request waits for room before it is answered 503 with {@code Retry-After}
 */
@ConfigurationProperties("lactation-cds.fhir.limits")
public record FhirLimitsProperties(
		@DefaultValue("3") int maxSortKeys,
		@DefaultValue("10") int maxIncludes,
		@DefaultValue("2") int maxChainDepth,
		@DefaultValue("100") int maxOrValues,
		@DefaultValue("1000") int maxTransactionEntries,
		@DefaultValue("8388608") long maxTransactionBytes,
		@DefaultValue("30s") Duration queryTimeout,
		@DefaultValue("100000") int maxBodyElements,
		@DefaultValue("300000") int maxElementsInProgress,
		@DefaultValue("10s") Duration elementsWait) {

	public FhirLimitsProperties {
		if (maxSortKeys < 1 || maxIncludes < 0 || maxChainDepth < 0 || maxOrValues < 1 || maxTransactionEntries < 1
				|| maxTransactionBytes < 1 || queryTimeout.isNegative() || maxBodyElements < 1 || elementsWait.isNegative()) {
			throw new IllegalArgumentException("lactation-cds.fhir.limits: every limit must be positive");
		}
		if (maxElementsInProgress < maxBodyElements) {
			throw new IllegalArgumentException("lactation-cds.fhir.limits.max-elements-in-progress (" + maxElementsInProgress
					+ ") must be at least max-body-elements (" + maxBodyElements + "), or the largest body never gets room");
		}
	}
}
