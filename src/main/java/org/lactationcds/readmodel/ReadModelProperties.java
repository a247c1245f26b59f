package org.lactationcds.readmodel;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The CDS path's read model.
 *
 * @param enabled whether CDS calls read through the kept data; the data versions are bumped on every write either
 *     way, so instances with and without it can share one database
 * @param maxResources most parsed resources kept by one instance (about 2-4 KB of heap each)
 */
@ConfigurationProperties("lactation-cds.read-model")
public record ReadModelProperties(@DefaultValue("true") boolean enabled, @DefaultValue("50000") long maxResources) {}
