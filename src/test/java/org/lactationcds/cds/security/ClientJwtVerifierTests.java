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

	final ClientJwtVerifier verifier = TestClients.verifier(TestClients.trusted(), Clock.fixed(NOW, ZoneOffset.UTC));

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
	void inlineKeySetIsUsedAsIsAndAJkuInTheHeaderIsNeverFetched() throws Exception {
		// Nothing listens on port 1: any fetch would fail the call. The sandbox sends a jku with every token.
		URI unreachable = URI.create("http://127.0.0.1:1/jwks.json");
		String token = TestClients.withHeader(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(TestClients.RSA.getKeyID())
						.jwkURL(unreachable).type(JOSEObjectType.JWT).build(),
				claims(NOW).build(), TestClients.signer(TestClients.RSA));
		RSAKey attacker = new RSAKeyGenerator(2048).keyID("attacker").generate();
		String attackers = TestClients.withHeader(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID("attacker")
						.jwkURL(URI.create("https://attacker.example/jwks.json")).type(JOSEObjectType.JWT).build(),
				claims(NOW).build(), TestClients.signer(attacker));

		assertThat(verifier.verify(token, AUDIENCE).issuer()).isEqualTo(TestClients.ISSUER);
		assertRefused(attackers, "rejected");
	}

	@Test
	void replayedTokenIsRefusedByAnotherInstanceOnTheSameDatabase() {
		TokenUseStore shared = TestClients.replays(100);
		ClientJwtVerifier one = new ClientJwtVerifier(TestClients.trusted(), List.of("RS384"), Duration.ofSeconds(60),
				Duration.ofMinutes(5), shared, Clock.fixed(NOW, ZoneOffset.UTC));
		ClientJwtVerifier other = new ClientJwtVerifier(TestClients.trusted(), List.of("RS384"), Duration.ofSeconds(60),
				Duration.ofMinutes(5), shared, Clock.fixed(NOW, ZoneOffset.UTC));
		String token = TestClients.rs384(claims(NOW).build());
		one.verify(token, AUDIENCE);

		assertThatThrownBy(() -> other.verify(token, AUDIENCE)).hasMessageContaining("replay");
	}

	@Test
	void tokenLivingLongerThanTheMaximumLifetimeIsRefused() {
		String token = TestClients.rs384(claims(NOW).expirationTime(Date.from(NOW.plusSeconds(301))).build());
		String in2100 = TestClients.rs384(claims(NOW).expirationTime(Date.from(Instant.parse("2100-01-01T00:00:00Z"))).build());

		assertRefused(token, "over the 300 s allowed");
		assertRefused(in2100, "over the 300 s allowed");
	}

	@Test
	void refusalSaysWhichCheckFailedAndCannotForgeLogLines() {
		String forged = TestClients.rs384(claims(NOW).issuer("https://x.example\nINFO fake line\r\u001b[31m").build());

		assertThatThrownBy(() -> verifier.verify(forged, AUDIENCE))
				.isInstanceOf(UntrustedCallException.class)
				.satisfies(e -> {
					assertThat(((UntrustedCallException) e).check()).isEqualTo("iss");
					assertThat(e.getMessage()).doesNotContain("\n", "\r", "\u001b").contains("x.example?INFO fake line?");
				});
		String longKid = TestClients.withHeader(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID("k".repeat(5000)).build(),
				claims(NOW).build(), TestClients.signer(TestClients.RSA));
		assertThatThrownBy(() -> verifier.verify(longKid, AUDIENCE))
				.satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(LogSafe.MAX + 10).doesNotContain("null"));
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
				Duration.ofMinutes(5), TestClients.replays(10), Clock.systemUTC())).hasMessageContaining("asymmetrically");
	}

	private void assertRefused(String token, String reason) {
		assertThatThrownBy(() -> verifier.verify(token, AUDIENCE))
				.isInstanceOf(UntrustedCallException.class)
				.hasMessageContaining(reason)
				.satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
	}
}
