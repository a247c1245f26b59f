package org.lactationcds.discovery;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The authorization server that issues the FHIR access tokens, as SMART apps must be told about it
 * ({@code /fhir/.well-known/smart-configuration}, SMART App Launch 2.x). Used only when FHIR issuers are configured
 * ({@code lactation-cds.security.fhir-issuers}); the document is served once {@code token-endpoint} is set.
 *
 * @param issuer the authorization server's OpenID Connect issuer; unset, the configured FHIR issuer when there is one
 * @param authorizationEndpoint where apps send the user to authorize (needed for app launch)
 * @param tokenEndpoint where apps get access tokens
 * @param registrationEndpoint dynamic client registration, if the authorization server offers it
 * @param managementEndpoint where a user manages the apps they authorized
 * @param introspectionEndpoint token introspection
 * @param revocationEndpoint token revocation
 * @param grantTypesSupported the grants the authorization server issues tokens for
 * @param tokenEndpointAuthMethodsSupported how clients authenticate at the token endpoint (e.g.
 *     {@code private_key_jwt}, {@code client_secret_basic}); omitted when empty
 * @param capabilities the authorization server's SMART capabilities (e.g. {@code launch-standalone},
 *     {@code launch-ehr}, {@code client-public}, {@code client-confidential-asymmetric},
 *     {@code context-standalone-patient}, {@code sso-openid-connect}); this server adds the permission capabilities
 *     it enforces itself
 * @param scopesSupported the scopes a client may ask for
 * @param appLaunchUrl the clinic app's SMART launch URL as registered with the EHR; with an authorization endpoint,
 *     patient-view cards link to the dyad view as a {@code smart} link to it (else as an {@code absolute} link to
 *     {@code /app/dyad.html} on this server)
 * @param appClientId the clinic app's client id as registered with the authorization server (a public client: no
 *     secret, PKCE S256); with FHIR issuers configured, the app's launch page ({@code /app/launch.html}) needs it
 * @param appScopes the scopes the clinic app asks for at launch; {@code launch} (EHR launch) and one patient read
 *     scope by default: the dyad view reads the launch patient's data with the token, and its cards come from
 *     {@code /app/api/cards}, which allows the launch patient's dyad
 */
@ConfigurationProperties("lactation-cds.smart")
public record SmartProperties(
		String issuer,
		String authorizationEndpoint,
		String tokenEndpoint,
		String registrationEndpoint,
		String managementEndpoint,
		String introspectionEndpoint,
		String revocationEndpoint,
		@DefaultValue({"authorization_code", "client_credentials"}) List<String> grantTypesSupported,
		@DefaultValue({}) List<String> tokenEndpointAuthMethodsSupported,
		@DefaultValue({}) List<String> capabilities,
		@DefaultValue({"patient/*.rs", "patient/*.cruds", "user/*.rs", "user/*.cruds", "system/*.rs", "system/*.cruds",
				"patient/*.read", "user/*.read", "system/*.read", "patient/*.write", "user/*.write", "system/*.write"})
		List<String> scopesSupported,
		String appLaunchUrl,
		String appClientId,
		@DefaultValue({"launch", "patient/*.rs"}) List<String> appScopes) {

	/** SMART app launch of the clinic app: its launch URL and the authorization endpoint it sends the user to. */
	public boolean appLaunchConfigured() {
		return appLaunchUrl != null && !appLaunchUrl.isBlank()
				&& authorizationEndpoint != null && !authorizationEndpoint.isBlank();
	}

	/** The clinic app can be launched from an EHR: it has a client id to authorize with. */
	public boolean appClientConfigured() {
		return appClientId != null && !appClientId.isBlank();
	}

	public boolean tokenEndpointConfigured() {
		return tokenEndpoint != null && !tokenEndpoint.isBlank();
	}
}
