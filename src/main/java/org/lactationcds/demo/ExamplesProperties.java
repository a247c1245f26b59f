package org.lactationcds.demo;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The demo dyads of {@code fhir-resources/examples/}.
 *
 * @param load load them at start-up; unset means yes on the embedded H2 database and no on any other
 * @param location where the example transaction Bundles are
 */
@ConfigurationProperties("lactation-cds.examples")
public record ExamplesProperties(Boolean load, @DefaultValue("classpath:fhir-resources/examples") String location) {}
