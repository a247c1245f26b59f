package org.lactationcds.cds.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies the bearer JWT of a CDS client (CDS Hooks 2.0, "Trusting CDS Clients"): signed with an asymmetric
 * algorithm of the allowed list (never {@code none}, never HMAC), by a key its {@code kid} selects among the keys of
 * a configured issuer (or of a {@code jku} on that issuer's allow-list); {@code aud} is exactly the URL called;
 * {@code exp} not passed and {@code iat} not in the future (with a small leeway); {@code nbf} honoured; {@code jti}
 * never seen before for that issuer until the token expires.
 */
public final class ClientJwtVerifier {

	private final TrustedClients clients;
	private final Set<JWSAlgorithm> algorithms;
	private final Duration clockSkew;
	private final ReplayCache replays;
	private final Clock clock;

	public ClientJwtVerifier(TrustedClients clients, List<String> algorithms, Duration clockSkew, int replayCacheSize, Clock clock) {
		this.clients = clients;
		this.algorithms = algorithms.stream().map(JWSAlgorithm::parse).collect(Collectors.toUnmodifiableSet());
		if (this.algorithms.stream().anyMatch(algorithm -> JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)
				|| algorithm.getName().equalsIgnoreCase("none"))) {
			throw new IllegalStateException("CDS client JWTs must be signed asymmetrically: remove HMAC/none from " + algorithms);
		}
		this.clockSkew = clockSkew;
		this.replays = new ReplayCache(replayCacheSize);
		this.clock = clock;
	}

	/** The trusted client that signed {@code token} for {@code audience}; throws {@link UntrustedCallException}. */
	public TrustedClient verify(String token, String audience) {
		SignedJWT jwt = signed(token);
		JWSHeader header = jwt.getHeader();
		if (!algorithms.contains(header.getAlgorithm())) {
			throw new UntrustedCallException("algorithm " + header.getAlgorithm() + " is not accepted");
		}
		if (header.getKeyID() == null || header.getKeyID().isBlank()) {
			throw new UntrustedCallException("no kid in the JWT header");
		}
		if (header.getType() != null && !JOSEObjectType.JWT.equals(header.getType())) {
			throw new UntrustedCallException("typ is " + header.getType() + ", not JWT");
		}
		String issuer = unverifiedIssuer(jwt);
		TrustedClient client = clients.forIssuer(issuer)
				.orElseThrow(() -> new UntrustedCallException("iss " + issuer + " is not a trusted CDS client"));
		JWKSource<SecurityContext> keys = client.keys();
		if (header.getJWKURL() != null) {
			keys = client.jkuKeys().get(header.getJWKURL());
			if (keys == null) {
				throw new UntrustedCallException("jku " + header.getJWKURL() + " is not on the allow-list of " + issuer);
			}
		}
		JWTClaimsSet claims = process(jwt, keys, issuer, audience);
		Instant now = clock.instant();
		if (claims.getIssueTime().toInstant().isAfter(now.plus(clockSkew))) {
			throw new UntrustedCallException("iat is in the future (iss " + issuer + ", jti " + claims.getJWTID() + ")");
		}
		if (!replays.firstUse(issuer, claims.getJWTID(), claims.getExpirationTime().toInstant().plus(clockSkew), now)) {
			throw new UntrustedCallException("jti " + claims.getJWTID() + " of " + issuer + " was used before (replay)");
		}
		return client;
	}

	private JWTClaimsSet process(SignedJWT jwt, JWKSource<SecurityContext> keys, String issuer, String audience) {
		DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
		processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
		processor.setJWSTypeVerifier((type, context) -> { }); // typ checked above: JWT or absent
		DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
				// nimbus asks these sets whether they contain null, which immutable Set.of refuses: plain HashSets.
				new HashSet<>(List.of(audience)),
				new JWTClaimsSet.Builder().issuer(issuer).build(),
				new HashSet<>(List.of("iss", "aud", "exp", "iat", "jti")),
				new HashSet<>()) {
			@Override
			protected Date currentTime() {
				return Date.from(clock.instant());
			}
		};
		claims.setMaxClockSkew((int) clockSkew.toSeconds());
		processor.setJWTClaimsSetVerifier(claims);
		try {
			return processor.process(jwt, null);
		} catch (BadJOSEException e) {
			throw new UntrustedCallException("JWT of " + issuer + " rejected: " + e.getMessage());
		} catch (com.nimbusds.jose.JOSEException e) {
			throw new UntrustedCallException("JWT of " + issuer + " could not be verified: " + e.getMessage());
		}
	}

	private static SignedJWT signed(String token) {
		JWT jwt;
		try {
			jwt = JWTParser.parse(token);
		} catch (ParseException e) {
			throw new UntrustedCallException("the bearer token is not a JWT");
		}
		if (!(jwt instanceof SignedJWT signed)) {
			throw new UntrustedCallException("the JWT is not signed (alg none or encrypted)");
		}
		return signed;
	}

	private static String unverifiedIssuer(SignedJWT jwt) {
		try {
			return jwt.getJWTClaimsSet().getIssuer();
		} catch (ParseException e) {
			throw new UntrustedCallException("the JWT claims do not parse");
		}
	}

}
