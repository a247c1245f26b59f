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
import com.nimbusds.jwt.proc.BadJWTException;
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
 * {@code exp} not passed and {@code iat} not in the future (with a small leeway), {@code exp - iat} within the maximum
 * lifetime; {@code nbf} honoured; {@code jti} never seen before for that issuer (in the database, across restarts and
 * instances) until the token expires.
 */
public final class ClientJwtVerifier {

	private static final int MAX_JTI = 255;

	private final TrustedClients clients;
	private final Set<JWSAlgorithm> algorithms;
	private final Duration clockSkew;
	private final Duration maxLifetime;
	private final TokenUseStore replays;
	private final Clock clock;

	public ClientJwtVerifier(
			TrustedClients clients, List<String> algorithms, Duration clockSkew, Duration maxLifetime, TokenUseStore replays,
			Clock clock) {
		this.clients = clients;
		this.algorithms = algorithms.stream().map(JWSAlgorithm::parse).collect(Collectors.toUnmodifiableSet());
		if (this.algorithms.stream().anyMatch(algorithm -> JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)
				|| algorithm.getName().equalsIgnoreCase("none"))) {
			throw new IllegalStateException("CDS client JWTs must be signed asymmetrically: remove HMAC/none from " + algorithms);
		}
		this.clockSkew = clockSkew;
		this.maxLifetime = maxLifetime;
		this.replays = replays;
		this.clock = clock;
	}

	/** The trusted client that signed {@code token} for {@code audience}; throws {@link UntrustedCallException}. */
	public TrustedClient verify(String token, String audience) {
		SignedJWT jwt = signed(token);
		JWSHeader header = jwt.getHeader();
		if (!algorithms.contains(header.getAlgorithm())) {
			throw new UntrustedCallException("algorithm", "algorithm " + header.getAlgorithm() + " is not accepted");
		}
		if (header.getKeyID() == null || header.getKeyID().isBlank()) {
			throw new UntrustedCallException("kid", "no kid in the JWT header");
		}
		if (header.getType() != null && !JOSEObjectType.JWT.equals(header.getType())) {
			throw new UntrustedCallException("typ", "typ is " + header.getType() + ", not JWT");
		}
		String issuer = unverifiedIssuer(jwt);
		TrustedClient client = clients.forIssuer(issuer)
				.orElseThrow(() -> new UntrustedCallException("iss", "iss " + issuer + " is not a trusted CDS client"));
		JWTClaimsSet claims = process(jwt, keys(client, header), issuer, audience);
		Instant now = clock.instant();
		Instant issued = claims.getIssueTime().toInstant();
		Instant expires = claims.getExpirationTime().toInstant();
		if (issued.isAfter(now.plus(clockSkew))) {
			throw new UntrustedCallException("iat", "iat is in the future (iss " + issuer + ", jti " + claims.getJWTID() + ")");
		}
		if (Duration.between(issued, expires).compareTo(maxLifetime) > 0) {
			throw new UntrustedCallException("lifetime", "exp - iat is " + Duration.between(issued, expires).toSeconds()
					+ " s, over the " + maxLifetime.toSeconds() + " s allowed (iss " + issuer + ")");
		}
		if (claims.getJWTID().length() > MAX_JTI) {
			throw new UntrustedCallException("jti", "jti longer than " + MAX_JTI + " characters (iss " + issuer + ")");
		}
		switch (replays.record(issuer, claims.getJWTID(), expires.plus(clockSkew), now)) {
			case REPLAY -> throw new UntrustedCallException("replay",
					"jti " + claims.getJWTID() + " of " + issuer + " was used before (replay)");
			case ISSUER_FULL -> throw new UntrustedCallException("replay",
					"the replay store holds its maximum of unexpired token ids for " + issuer + ": its tokens are refused until some expire");
			case FIRST -> { }
		}
		return client;
	}

	/**
	 * The keys to verify with: an issuer's inline key set is used as is (a {@code jku} in the header is then ignored and
	 * never fetched); otherwise a {@code jku} is used only when it is on the issuer's allow-list (fetched, cached and
	 * rate-limited), and without one the issuer's jwksUri.
	 */
	private static JWKSource<SecurityContext> keys(TrustedClient client, JWSHeader header) {
		if (client.inlineKeys() || header.getJWKURL() == null) {
			return client.keys();
		}
		JWKSource<SecurityContext> keys = client.jkuKeys().get(header.getJWKURL());
		if (keys == null) {
			throw new UntrustedCallException("jku", "jku " + header.getJWKURL() + " is not on the allow-list of " + client.issuer());
		}
		return keys;
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
		} catch (BadJWTException e) {
			throw new UntrustedCallException("claims", "JWT of " + issuer + " rejected: " + reason(e));
		} catch (BadJOSEException e) {
			throw new UntrustedCallException("signature", "JWT of " + issuer + " rejected: " + reason(e));
		} catch (com.nimbusds.jose.JOSEException e) {
			// e.g. the key set could not be fetched: nimbus wraps the cause, whose message may be all there is
			throw new UntrustedCallException("signature", "JWT of " + issuer + " could not be verified: " + reason(e));
		}
	}

	private static String reason(Throwable e) {
		for (Throwable cause = e; cause != null; cause = cause.getCause()) {
			if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
				return cause.getMessage() + (cause == e ? "" : " (" + cause.getClass().getSimpleName() + ")");
			}
		}
		return e.getClass().getSimpleName();
	}

	private static SignedJWT signed(String token) {
		JWT jwt;
		try {
			jwt = JWTParser.parse(token);
		} catch (ParseException e) {
			throw new UntrustedCallException("token", "the bearer token is not a JWT");
		}
		if (!(jwt instanceof SignedJWT signed)) {
			throw new UntrustedCallException("token", "the JWT is not signed (alg none or encrypted)");
		}
		return signed;
	}

	private static String unverifiedIssuer(SignedJWT jwt) {
		try {
			return jwt.getJWTClaimsSet().getIssuer();
		} catch (ParseException e) {
			throw new UntrustedCallException("token", "the JWT claims do not parse");
		}
	}
}
