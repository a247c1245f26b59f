package org.lactationcds.security;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call the server.
 *
 * @param mode {@code auto} (open on a loopback address, refuse to start elsewhere without trust) or {@code open}
 *     (explicitly no authentication, wherever bound: a warning at every start)
 * @param cdsClientsFile the trusted CDS clients (JSON; see the README's Security section): when set, every
 *     /cds-services call must carry a JWT signed by one of them
 * @param algorithms the JWS algorithms accepted from CDS clients (asymmetric only)
 * @param clockSkew leeway on exp, iat and nbf
 * @param replayCacheSize most unexpired JWT ids remembered per CDS client issuer (in the database) to refuse a
 *     replayed token; an issuer over it has its tokens refused until some expire
 * @param maxRequestBytes largest request body accepted on /cds-services and /fhir (413 above)
 * @param fhirIssuers the OAuth2 authorization servers whose bearer JWTs FHIR REST accepts: when set, /fhir requires a
 *     token with SMART v2 scopes (metadata stays open)
 * @param fhirAudience the {@code aud} a FHIR access token must name: this server's FHIR base URL as its clients know
 *     it; unset, {@code public-base-url} + {@code /fhir}
 * @param cdsTokenMaxLifetime longest {@code exp - iat} accepted in a CDS client JWT (SMART backend services: 5 min)
 * @param patientScopesCoverDyad a site security decision, off by default: when on, a {@code patient/} token for one
 *     member of a dyad (clinical-rules.md 0.2) is treated as covering every member linked to it (an infant's mother, a
 *     mother's infants) for the reads, searches and writes its scope letters allow, and may prefill
 *     ({@code Questionnaire/$populate}) and record ({@code QuestionnaireResponse/$submit-visit}) the dyad's visit. Off,
 *     a {@code patient/} token covers its own patient only. Applies only with FHIR issuers configured.
 */
@ConfigurationProperties("lactation-cds.security")
public record SecurityProperties(
		@DefaultValue("auto") String mode,
		String cdsClientsFile,
		@DefaultValue({"RS384", "ES384"}) List<String> algorithms,
		@DefaultValue("60s") Duration clockSkew,
		@DefaultValue("10000") int replayCacheSize,
		@DefaultValue("16777216") long maxRequestBytes,
		List<FhirIssuer> fhirIssuers,
		String fhirAudience,
		@DefaultValue("5m") Duration cdsTokenMaxLifetime,
		@DefaultValue("false") boolean patientScopesCoverDyad) {

	/**
	 * An OAuth2 issuer trusted for FHIR REST.
	 *
	 * @param issuer the {@code iss} its tokens carry
	 * @param jwkSetUri where its signing keys are published
	 */
	public record FhirIssuer(String issuer, String jwkSetUri) {}

	public boolean fhirIssuersConfigured() {
		return fhirIssuers != null && !fhirIssuers.isEmpty();
	}

	/** The FHIR base tokens must be meant for; refuses to start without one when issuers are configured. */
	public String fhirAudience(PublicUrlProperties publicUrl) {
		if (fhirAudience != null && !fhirAudience.isBlank()) {
			return withoutTrailingSlash(fhirAudience.trim());
		}
		if (publicUrl.publicBaseUrl() != null && !publicUrl.publicBaseUrl().isBlank()) {
			return withoutTrailingSlash(publicUrl.publicBaseUrl().trim()) + "/fhir";
		}
		throw new IllegalStateException("FHIR issuers are configured but neither lactation-cds.security.fhir-audience "
				+ "(LACTATION_CDS_SECURITY_FHIR_AUDIENCE) nor LACTATION_CDS_PUBLIC_BASE_URL is set: a FHIR access token's aud "
				+ "must name this server's FHIR base");
	}

	public static String withoutTrailingSlash(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}

	public boolean open() {
		return "open".equalsIgnoreCase(mode);
	}

	public boolean cdsClientsConfigured() {
		return cdsClientsFile != null && !cdsClientsFile.isBlank();
	}
}
