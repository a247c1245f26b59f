package org.lactationcds.support;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

/**
 * An OAuth2 authorization server as the FHIR resource server sees one: its key set at {@link #jwkSetUri()} (a local
 * HTTP server) and the access tokens it would issue, signed with its RSA key.
 */
public final class StubIssuer implements AutoCloseable {

	private final String issuer;
	private final String audience;
	private final RSAKey key;
	private final HttpServer server;

	private StubIssuer(String issuer, String audience, RSAKey key, HttpServer server) {
		this.issuer = issuer;
		this.audience = audience;
		this.key = key;
		this.server = server;
	}

	/** Serves a new key set for {@code issuer}; tokens carry {@code audience}. */
	public static StubIssuer start(String issuer, String audience) throws IOException {
		RSAKey key = rsa("auth-1");
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		byte[] jwks = new JWKSet(key.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
		server.createContext("/jwks", exchange -> {
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, jwks.length);
			exchange.getResponseBody().write(jwks);
			exchange.close();
		});
		server.start();
		return new StubIssuer(issuer, audience, key, server);
	}

	public String jwkSetUri() {
		return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
	}

	/** The server settings that make {@code /fhir} trust this issuer's tokens for its audience. */
	public Map<String, String> fhirEnvironment() {
		return Map.of(
				"LACTATION_CDS_SECURITY_FHIR_ISSUERS_0_ISSUER", issuer,
				"LACTATION_CDS_SECURITY_FHIR_ISSUERS_0_JWK_SET_URI", jwkSetUri(),
				"LACTATION_CDS_SECURITY_FHIR_AUDIENCE", audience);
	}

	/** A token for client {@code client-1} with {@code scope}, and the SMART {@code patient} claim when not null. */
	public String token(String scope, String patient) {
		JWTClaimsSet.Builder claims = claims(scope);
		if (patient != null) {
			claims.claim("patient", patient);
		}
		return sign(claims.build());
	}

	/** The claims of a valid token (issuer, audience, ten minutes of validity: a slow test run outlasts five; a fresh id) with {@code scope}. */
	public JWTClaimsSet.Builder claims(String scope) {
		return new JWTClaimsSet.Builder()
				.issuer(issuer)
				.subject("client-1")
				.audience(audience)
				.issueTime(Date.from(Instant.now()))
				.expirationTime(Date.from(Instant.now().plusSeconds(600)))
				.jwtID(UUID.randomUUID().toString())
				.claim("scope", scope);
	}

	public String sign(JWTClaimsSet claims) {
		return sign(key, claims, JOSEObjectType.JWT);
	}

	/** {@code claims} signed by this issuer with {@code type} in the header (RFC 9068 access tokens say {@code at+jwt}). */
	public String sign(JWTClaimsSet claims, JOSEObjectType type) {
		return sign(key, claims, type);
	}

	/** {@code claims} signed RS256 by {@code signer} (another key with the same id is how a forged token looks). */
	public static String sign(RSAKey signer, JWTClaimsSet claims) {
		return sign(signer, claims, JOSEObjectType.JWT);
	}

	private static String sign(RSAKey signer, JWTClaimsSet claims, JOSEObjectType type) {
		try {
			SignedJWT jwt = new SignedJWT(
					new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID()).type(type).build(), claims);
			jwt.sign(new RSASSASigner(signer));
			return jwt.serialize();
		} catch (Exception e) {
			throw new IllegalStateException("could not sign a test token", e);
		}
	}

	public static RSAKey rsa(String keyId) {
		try {
			return new RSAKeyGenerator(2048).keyID(keyId).generate();
		} catch (Exception e) {
			throw new IllegalStateException("could not generate a test RSA key", e);
		}
	}

	@Override
	public void close() {
		server.stop(0);
	}
}
