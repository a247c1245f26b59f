package org.lactationcds.caller;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The caller of the current request as the FHIR bearer token describes it.
 *
 * @param authenticated whether a bearer token was verified for this request (false in open mode)
 * @param client who the token was issued to: {@code client_id}, else {@code azp}, else {@code sub}; null when
 *     unauthenticated
 * @param issuer the token's {@code iss}; null when unauthenticated
 * @param scopes the token's scopes ({@code scope} space-separated, or {@code scp} list)
 * @param patient the SMART launch {@code patient} claim as a bare id ({@code Patient/x} and {@code x} both give
 *     {@code x}); null when absent or not an id
 */
public record Caller(boolean authenticated, String client, String issuer, Set<String> scopes, String patient) {

	public static final Caller ANONYMOUS = new Caller(false, null, null, Set.of(), null);

	public Caller {
		scopes = Set.copyOf(scopes);
	}

	/**
	 * The caller of the request on this thread: the single place that reads Spring Security's context, so that scope
	 * checks, knowledge publishing and the audit trail never parse tokens themselves.
	 */
	public static Caller current() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (!(authentication instanceof JwtAuthenticationToken token)) {
			return ANONYMOUS;
		}
		Jwt jwt = token.getToken();
		Set<String> scopes = new LinkedHashSet<>();
		String scope = jwt.getClaimAsString("scope");
		if (scope != null && !scope.isBlank()) {
			scopes.addAll(List.of(scope.trim().split("\\s+")));
		}
		List<String> scp = jwt.getClaimAsStringList("scp");
		if (scp != null) {
			scopes.addAll(scp);
		}
		String client = firstNonNull(jwt.getClaimAsString("client_id"), jwt.getClaimAsString("azp"), jwt.getSubject());
		return new Caller(true, client, jwt.getClaimAsString("iss"), scopes, patientId(jwt.getClaimAsString("patient")));
	}

	/** SMART launch context gives the id; some servers write {@code Patient/id}. Anything else grants no patient. */
	static String patientId(String claim) {
		if (claim == null || claim.isBlank()) {
			return null;
		}
		String id = claim.startsWith("Patient/") ? claim.substring("Patient/".length()) : claim;
		return id.matches("[A-Za-z0-9\\-.]{1,64}") ? id : null;
	}

	public boolean has(String scope) {
		return scopes.contains(scope);
	}

	/** How the caller is named in records (audit, knowledge releases). */
	public String name() {
		return authenticated ? client + " (" + issuer + ")" : "anonymous (open mode)";
	}

	private static String firstNonNull(String... values) {
		for (String value : values) {
			if (value != null && !value.isBlank()) {
				return value;
			}
		}
		return null;
	}
}
