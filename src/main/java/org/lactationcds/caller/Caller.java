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
 */
public record Caller(boolean authenticated, String client, String issuer, Set<String> scopes) {

	public static final Caller ANONYMOUS = new Caller(false, null, null, Set.of());

	public Caller {
		scopes = Set.copyOf(scopes);
	}

	/**
	 * The caller of the request on this thread. The single place that reads Spring Security's context: the trust
	 * work (security/) may replace its body with its own principal without touching the callers of this method.
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
		return new Caller(true, client, jwt.getClaimAsString("iss"), scopes);
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
