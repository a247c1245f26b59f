package org.lactationcds.cds;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the server warms its CDS path before it reports ready ({@code lactation-cds.cds.warm-up=false} skips it).
 * Warm-up stops at whichever limit comes first.
 *
 * @param calls CDS calls answered from the demo data (each followed by the same services' store reads); a few
 *     hundred get the engine's hot methods through the JIT's first tiers
 * @param maxDuration longest warm-up: on a loaded machine readiness is not held back longer than this
 */
@ConfigurationProperties("lactation-cds.warm-up")
public record WarmUpProperties(@DefaultValue("300") int calls, @DefaultValue("12s") Duration maxDuration) {}
