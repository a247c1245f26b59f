package org.lactationcds.discovery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.lactationcds.security.SecurityProperties;

/**
 * The SMART configuration document (SMART App Launch 2.x, "Conformance"): the authorization server as configured,
 * plus what this FHIR server itself enforces (scopes and permission capabilities).
 */
final class SmartConfiguration {

	/** What the FHIR server enforces itself: v1 and v2 scopes at patient and user level (and system). */
	static final List<String> RESOURCE_SERVER_CAPABILITIES =
			List.of("permission-v1", "permission-v2", "permission-patient", "permission-user");

	private SmartConfiguration() {}

	/** The document, or empty when SMART discovery is not configured (no FHIR issuer, or no token endpoint). */
	static Optional<Map<String, Object>> document(SecurityProperties security, SmartProperties smart) {
		if (!security.fhirIssuersConfigured() || !smart.tokenEndpointConfigured()) {
			return Optional.empty();
		}
		Map<String, Object> document = new LinkedHashMap<>();
		String issuer = issuer(security, smart);
		put(document, "issuer", issuer);
		if (security.fhirIssuers().size() == 1 && security.fhirIssuers().get(0).issuer().equals(issuer)) {
			put(document, "jwks_uri", security.fhirIssuers().get(0).jwkSetUri());
		}
		put(document, "authorization_endpoint", smart.authorizationEndpoint());
		put(document, "token_endpoint", smart.tokenEndpoint());
		if (!smart.tokenEndpointAuthMethodsSupported().isEmpty()) {
			document.put("token_endpoint_auth_methods_supported", smart.tokenEndpointAuthMethodsSupported());
		}
		document.put("grant_types_supported", smart.grantTypesSupported());
		put(document, "registration_endpoint", smart.registrationEndpoint());
		document.put("scopes_supported", smart.scopesSupported());
		if (present(smart.authorizationEndpoint())) {
			document.put("response_types_supported", List.of("code"));
		}
		put(document, "management_endpoint", smart.managementEndpoint());
		put(document, "introspection_endpoint", smart.introspectionEndpoint());
		put(document, "revocation_endpoint", smart.revocationEndpoint());
		Set<String> capabilities = new LinkedHashSet<>(smart.capabilities());
		capabilities.addAll(RESOURCE_SERVER_CAPABILITIES);
		document.put("capabilities", new ArrayList<>(capabilities));
		// SMART requires PKCE with S256 and forbids "plain".
		document.put("code_challenge_methods_supported", List.of("S256"));
		return Optional.of(document);
	}

	/** The configured OpenID issuer, else the one FHIR issuer (several: none can be named). */
	static String issuer(SecurityProperties security, SmartProperties smart) {
		if (present(smart.issuer())) {
			return smart.issuer().trim();
		}
		return security.fhirIssuers().size() == 1 ? security.fhirIssuers().get(0).issuer() : null;
	}

	static boolean present(String value) {
		return value != null && !value.isBlank();
	}

	private static void put(Map<String, Object> document, String name, String value) {
		if (present(value)) {
			document.put(name, value.trim());
		}
	}
}
