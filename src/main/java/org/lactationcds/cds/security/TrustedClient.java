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
 * @param inlineKeys whether {@code keys} is a key set given inline in the clients file (then used as is: a JWT's
 *     {@code jku} is ignored)
 * @param fhirServers the FHIR base URLs it may ask this service to fetch from
 * @param readsLocalStore whether its calls may be answered from this server's own FHIR store when the data is not in
 *     the prefetch and no fhirServer is given (registration {@code "localStore": true}); the store is then read for
 *     the patient in context and her dyad partner only
 */
public record TrustedClient(
		String issuer,
		JWKSource<SecurityContext> keys,
		boolean inlineKeys,
		Map<URI, JWKSource<SecurityContext>> jkuKeys,
		Set<String> fhirServers,
		boolean readsLocalStore) {

	/** Whether this client may name {@code fhirServer} (compared without a trailing slash). */
	public boolean mayFetchFrom(URI fhirServer) {
		return fhirServers.contains(normalized(fhirServer.toString()));
	}

	static String normalized(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}
}
