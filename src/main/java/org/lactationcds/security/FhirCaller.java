package org.lactationcds.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Who is calling FHIR REST, as the verified access token says: the one place other checks (scopes, knowledge
 * publishing, audit) read the caller from, so none of them parses tokens itself.
 *
 * @param issuer the token's {@code iss}
 * @param subject its {@code sub} (may be null)
 * @param clientId its {@code client_id}, else {@code azp} (may be null)
 * @param scopes its {@code scope} (space-separated) and {@code scp} (list) entries, as written
 * @param patient the {@code patient} claim as a bare id ({@code Patient/x} and {@code x} both give {@code x}), or null
 */
public record FhirCaller(String issuer, String subject, String clientId, List<String> scopes, String patient) {

	/** The caller of the current request when it presented a verified bearer token (FHIR issuers configured). */
	public static Optional<FhirCaller> current() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		return authentication instanceof JwtAuthenticationToken token ? Optional.of(of(token.getToken())) : Optional.empty();
	}

	static FhirCaller of(Jwt jwt) {
		List<String> scopes = new ArrayList<>();
		String scope = jwt.getClaimAsString("scope");
		if (scope != null && !scope.isBlank()) {
			scopes.addAll(List.of(scope.trim().split("\\s+")));
		}
		List<String> scp = jwt.getClaimAsStringList("scp");
		if (scp != null) {
			scopes.addAll(scp);
		}
		String clientId = jwt.getClaimAsString("client_id");
		return new FhirCaller(
				jwt.getClaimAsString("iss"),
				jwt.getSubject(),
				clientId != null ? clientId : jwt.getClaimAsString("azp"),
				List.copyOf(scopes),
				patientId(jwt.getClaimAsString("patient")));
	}

	/** SMART launch context gives the id; some servers write {@code Patient/id}. Anything else grants no patient. */
	static String patientId(String claim) {
		if (claim == null || claim.isBlank()) {
			return null;
		}
		String id = claim.startsWith("Patient/") ? claim.substring("Patient/".length()) : claim;
		return id.matches("[A-Za-z0-9\\-.]{1,64}") ? id : null;
	}

	/** Whether the token carries exactly this scope (e.g. a publisher scope). */
	public boolean hasScope(String scope) {
		return scopes.contains(scope);
	}
}
