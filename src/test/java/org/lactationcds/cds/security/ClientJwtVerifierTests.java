package org.lactationcds.cds.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lactationcds.cds.security.TestClients.AUDIENCE;
import static org.lactationcds.cds.security.TestClients.claims;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.PlainJWT;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CDS Hooks 2.0 "Trusting CDS Clients": which JWTs are let in. */
class ClientJwtVerifierTests {

	static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

	final ClientJwtVerifier verifier = new ClientJwtVerifier(TestClients.trusted(), List.of("RS384", "ES384"),
			Duration.ofSeconds(60), 1000, Clock.fixed(NOW, ZoneOffset.UTC));

	@Test
	void validRs384TokenIsAcceptedAndNamesItsClient() {
		TrustedClient client = verifier.verify(TestClients.rs384(claims(NOW).build()), AUDIENCE);

		assertThat(client.issuer()).isEqualTo(TestClients.ISSUER);
		assertThat(client.mayFetchFrom(URI.create("https://ehr.example.org/fhir"))).isTrue();
		assertThat(client.mayFetchFrom(URI.create("https://evil.example/fhir"))).isFalse();
	}

	@Test
	void validEs384TokenWithAudienceArrayAndEpicExtrasIsAccepted() {
		String token = TestClients.es384(claims(NOW)
				.audience(List.of("https://other.example", AUDIENCE))
				.subject("client-id")
				.notBeforeTime(Date.from(NOW.minusSeconds(300)))
				.claim("tenant", "t1")
				.build());

		assertThat(verifier.verify(token, AUDIENCE).issuer()).isEqualTo(TestClients.ISSUER);
	}

	@Test
	void unsignedTokenIsRefused() {
		String token = new PlainJWT(claims(NOW).build()).serialize();

		assertRefused(token, "not signed");
	}

	@Test
	void hmacTokenSignedWithThePublicKeyAsSecretIsRefused() throws Exception {
		byte[] publicKey = TestClients.RSA.toPublicJWK().toRSAPublicKey().getEncoded();
		String token = TestClients.withHeader(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(TestClients.RSA.getKeyID()).build(),
				claims(NOW).build(), new MACSigner(java.util.Arrays.copyOf(publicKey, Math.max(32, publicKey.length))));

		assertRefused(token, "algorithm HS256");
	}

	@Test
	void expiredTokenIsRefused() {
		String token = TestClients.rs384(claims(NOW.minusSeconds(900)).expirationTime(Date.from(NOW.minusSeconds(120))).build());

		assertRefused(token, "Expired");
	}

	@Test
	void tokenIssuedInTheFutureIsRefused() {
		String token = TestClients.rs384(claims(NOW).issueTime(Date.from(NOW.plusSeconds(600))).build());

		assertRefused(token, "iat is in the future");
	}

	@Test
	void tokenForAnotherAudienceIsRefused() {
		String token = TestClients.rs384(claims(NOW).audience("https://cds.example.org/cds-services/other").build());

		assertRefused(token, "rejected");
	}

	@Test
	void tokenOfAnUnknownIssuerIsRefused() {
		String token = TestClients.rs384(claims(NOW).issuer("https://stranger.example").build());

		assertRefused(token, "not a trusted CDS client");
	}

	@Test
	void tokenSignedByAnUnknownKeyIsRefused() throws Exception {
		RSAKey other = new RSAKeyGenerator(2048).keyID("rs-other").generate();
		String token = TestClients.withHeader(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID("rs-other").build(),
				claims(NOW).build(), TestClients.signer(other));

		assertRefused(token, "rejected");
	}

	@Test
	void tokenWithTheRightKidButAnotherKeysSignatureIsRefused() throws Exception {
		RSAKey impostor = new RSAKeyGenerator(2048).keyID(TestClients.RSA.getKeyID()).generate();
		String token = TestClients.withHeader(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(TestClients.RSA.getKeyID()).build(),
				claims(NOW).build(), TestClients.signer(impostor));

		assertRefused(token, "rejected");
	}

	@Test
	void replayedTokenIsRefused() {
		String token = TestClients.rs384(claims(NOW).build());
		verifier.verify(token, AUDIENCE);

		assertRefused(token, "replay");
	}

	@Test
	void tokenNamingAJkuOffTheAllowListIsRefused() {
		String token = TestClients.withHeader(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(TestClients.RSA.getKeyID())
						.jwkURL(URI.create("https://attacker.example/jwks.json")).type(JOSEObjectType.JWT).build(),
				claims(NOW).build(), TestClients.signer(TestClients.RSA));

		assertRefused(token, "not on the allow-list");
	}

	@Test
	void tokenWithoutJtiOrKidIsRefused() {
		assertRefused(TestClients.rs384(claims(NOW).jwtID(null).build()), "jti");
		String noKid = TestClients.withHeader(new JWSHeader.Builder(JWSAlgorithm.RS384).build(), claims(NOW).build(),
				TestClients.signer(TestClients.RSA));
		assertRefused(noKid, "no kid");
	}

	@Test
	void garbageIsRefused() {
		assertRefused("not.a.jwt", "not a JWT");
		assertRefused(Base64URL.encode("{}") + "." + Base64URL.encode("{}") + ".", "not a JWT");
	}

	@Test
	void hmacCannotBeConfigured() {
		assertThatThrownBy(() -> new ClientJwtVerifier(TestClients.trusted(), List.of("RS384", "HS256"), Duration.ofSeconds(60),
				10, Clock.systemUTC())).hasMessageContaining("asymmetrically");
	}

	private void assertRefused(String token, String reason) {
		assertThatThrownBy(() -> verifier.verify(token, AUDIENCE))
				.isInstanceOf(UntrustedCallException.class)
				.hasMessageContaining(reason)
				.satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
	}
}
