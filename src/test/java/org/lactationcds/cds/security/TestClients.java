package org.lactationcds.cds.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A trusted EHR with an RSA and an EC key, and JWTs signed the way CDS clients sign them (nimbus-jose-jwt). */
final class TestClients {

	static final String ISSUER = "https://ehr.example.org";
	static final String AUDIENCE = "https://cds.example.org/cds-services/lactation-patient-view";
	static final RSAKey RSA = generateRsa("rs-1");
	static final ECKey EC = generateEc("ec-1");

	private TestClients() {}

	/** The trusted-clients file content for the EHR: its public keys inline, one registered FHIR server. */
	static TrustedClients trusted() {
		try {
			String json = new ObjectMapper().writeValueAsString(Map.of("clients", List.of(Map.of(
					"iss", ISSUER,
					"jwks", new JWKSet(List.of(RSA.toPublicJWK(), EC.toPublicJWK())).toJSONObject(true),
					"fhirServers", List.of("https://ehr.example.org/fhir/")))));
			return TrustedClients.parse(new ObjectMapper().readTree(json));
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	/** A replay store on a fresh in-memory H2 database (the same SQL the server runs on H2 and PostgreSQL). */
	static TokenUseStore replays(int capacityPerIssuer) {
		return new TokenUseStore(database(), capacityPerIssuer).createSchema();
	}

	static org.springframework.jdbc.core.JdbcTemplate database() {
		return new org.springframework.jdbc.core.JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(
				"jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", ""));
	}

	static ClientJwtVerifier verifier(TrustedClients clients, java.time.Clock clock) {
		return new ClientJwtVerifier(clients, List.of("RS384", "ES384"), java.time.Duration.ofSeconds(60),
				java.time.Duration.ofMinutes(5), replays(100), clock);
	}

	static JWTClaimsSet.Builder claims(Instant now) {
		return new JWTClaimsSet.Builder()
				.issuer(ISSUER)
				.audience(AUDIENCE)
				.issueTime(Date.from(now))
				.expirationTime(Date.from(now.plusSeconds(300)))
				.jwtID(UUID.randomUUID().toString());
	}

	static String rs384(JWTClaimsSet claims) {
		return sign(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(RSA.getKeyID()).type(JOSEObjectType.JWT).build(), claims, signer(RSA));
	}

	static String es384(JWTClaimsSet claims) {
		return sign(new JWSHeader.Builder(JWSAlgorithm.ES384).keyID(EC.getKeyID()).type(JOSEObjectType.JWT).build(), claims, signer(EC));
	}

	static String withHeader(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) {
		return sign(header, claims, signer);
	}

	static JWSSigner signer(RSAKey key) {
		try {
			return new RSASSASigner(key);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	static JWSSigner signer(ECKey key) {
		try {
			return new ECDSASigner(key);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	static URI uri(String text) {
		return URI.create(text);
	}

	private static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) {
		try {
			SignedJWT jwt = new SignedJWT(header, claims);
			jwt.sign(signer);
			return jwt.serialize();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	private static RSAKey generateRsa(String kid) {
		try {
			return new RSAKeyGenerator(2048).keyID(kid).generate();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	private static ECKey generateEc(String kid) {
		try {
			return new ECKeyGenerator(Curve.P_384).keyID(kid).generate();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
