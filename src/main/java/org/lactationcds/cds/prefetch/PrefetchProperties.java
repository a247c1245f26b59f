package org.lactationcds.cds.prefetch;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits on the data of one CDS Hooks call: what the client sends as prefetch, and what is fetched from its FHIR
 * server when it did not send it. Together they bound a call's server time.
 *
 * @param connectTimeout time to open a connection to the EHR's FHIR server
 * @param readTimeout time for one whole response (headers and body)
 * @param maxResponseBytes largest response accepted
 * @param maxPages most pages followed for one search
 * @param callTimeout one deadline for every byte fetched from the EHR's FHIR server during a call (every key, the dyad
 *     partner, every page)
 * @param maxCallBytes most bytes fetched from the EHR's FHIR server during one call, across all responses
 * @param maxResources most resources in one call: prefetch and draft orders sent (413 above), plus fetched
 */
@ConfigurationProperties("lactation-cds.prefetch")
public record PrefetchProperties(
		Duration connectTimeout,
		Duration readTimeout,
		int maxResponseBytes,
		int maxPages,
		Duration callTimeout,
		long maxCallBytes,
		int maxResources) {

	@ConstructorBinding
	public PrefetchProperties(
			@DefaultValue("2s") Duration connectTimeout,
			@DefaultValue("5s") Duration readTimeout,
			@DefaultValue("16777216") int maxResponseBytes,
			@DefaultValue("20") int maxPages,
			@DefaultValue("10s") Duration callTimeout,
			@DefaultValue("33554432") long maxCallBytes,
			@DefaultValue("5000") int maxResources) {
		this.connectTimeout = connectTimeout;
		this.readTimeout = readTimeout;
		this.maxResponseBytes = maxResponseBytes;
		this.maxPages = maxPages;
		this.callTimeout = callTimeout;
		this.maxCallBytes = maxCallBytes;
		this.maxResources = maxResources;
	}

	/** The per-response limits, with the per-call budgets at their defaults. */
	public PrefetchProperties(Duration connectTimeout, Duration readTimeout, int maxResponseBytes, int maxPages) {
		this(connectTimeout, readTimeout, maxResponseBytes, maxPages, Duration.ofSeconds(10), 33_554_432L, 5000);
	}
}
