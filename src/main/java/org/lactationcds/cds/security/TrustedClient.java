package org.lactationcds.cds.security;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * A CDS client an administrator trusts.
 *
 * @param issuer the {@code iss} its JWTs carry
 * @param keys its signing keys (an inline key set, or its jwksUri fetched and cached)
 * @param jkuKeys the key sets at the {@code jku} URLs it may name in a JWT header (allow-listed), by URL
 * @param fhirServers the FHIR base URLs it may ask this service to fetch from
 */
public record TrustedClient(
		String issuer, JWKSource<SecurityContext> keys, Map<URI, JWKSource<SecurityContext>> jkuKeys, Set<String> fhirServers) {

	/** Whether this client may name {@code fhirServer} (compared without a trailing slash). */
	public boolean mayFetchFrom(URI fhirServer) {
		return fhirServers.contains(normalized(fhirServer.toString()));
	}

	static String normalized(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}
}
