package org.lactationcds.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param publicBaseUrl the server's external base URL (e.g. {@code https://cds.example.org}): the audience a CDS
 *     client's JWT must name is this plus the path called. Behind a proxy the Host header is not trusted.
 */
@ConfigurationProperties("lactation-cds")
public record PublicUrlProperties(String publicBaseUrl) {}
