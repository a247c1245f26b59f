package org.lactationcds.cds.prefetch;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits on fetching data that a CDS Hooks client did not prefetch from its FHIR server.
 *
 * @param connectTimeout time to open a connection to the EHR's FHIR server
 * @param readTimeout time for one whole response
 * @param maxResponseBytes largest response accepted
 * @param maxPages most pages followed for one search
 */
@ConfigurationProperties("lactation-cds.prefetch")
public record PrefetchProperties(
		@DefaultValue("2s") Duration connectTimeout,
		@DefaultValue("5s") Duration readTimeout,
		@DefaultValue("16777216") int maxResponseBytes,
		@DefaultValue("20") int maxPages) {}
