package org.lactationcds.security;

import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.JwtIssuerAuthenticationManagerResolver;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Spring Security: with FHIR issuers configured, /fhir requires an OAuth2 bearer JWT of one of them (signature by the
 * issuer's JWKS, {@code iss}, {@code exp}/{@code nbf} checked); what the token's SMART scopes allow is then enforced
 * inside the FHIR server ({@code SmartScopeAuthorizationInterceptor}). {@code /fhir/metadata} and the health probes
 * stay open. /cds-services has its own JWT check (CDS Hooks client trust). Bound beyond loopback, the operational
 * endpoints other than health need a token with {@link #OPERATOR_SCOPE} (without FHIR issuers: refused). Stateless,
 * no sessions, no CSRF (no cookies are used).
 */
@Configuration(proxyBeanMethods = false)
public class FhirSecurityConfiguration {

	/**
	 * The scope an operator's token (from a configured FHIR issuer) carries to read operational endpoints such as
	 * {@code /actuator/metrics} when the server is bound beyond loopback. Not a SMART scope: it grants nothing in FHIR.
	 */
	public static final String OPERATOR_SCOPE = "lactation-cds/operator";

	@Bean
	public SecurityFilterChain securityFilterChain(
			HttpSecurity http, SecurityProperties security, @Value("${server.address:}") String serverAddress) throws Exception {
		http.csrf(csrf -> csrf.disable())
				.sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.httpBasic(basic -> basic.disable())
				.formLogin(form -> form.disable());
		boolean loopback = SecurityModeCheck.isLoopback(serverAddress);
		if (!loopback) {
			// Health probes stay open; metrics and any other operational endpoint need the operator's token.
			http.authorizeHttpRequests(requests -> requests
					.requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
					.requestMatchers("/actuator", "/actuator/**").hasAuthority("SCOPE_" + OPERATOR_SCOPE));
		}
		if (!security.fhirIssuersConfigured()) {
			http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll());
			return http.build();
		}
		Map<String, AuthenticationManager> managers = new HashMap<>();
		for (SecurityProperties.FhirIssuer issuer : security.fhirIssuers()) {
			NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(issuer.jwkSetUri()).build();
			decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(issuer.issuer())));
			managers.put(issuer.issuer(), new ProviderManager(new JwtAuthenticationProvider(decoder)));
		}
		JwtIssuerAuthenticationManagerResolver resolver = new JwtIssuerAuthenticationManagerResolver(managers::get);
		http.authorizeHttpRequests(requests -> requests
						.requestMatchers("/fhir/metadata", "/fhir/metadata/**").permitAll()
						.requestMatchers("/fhir", "/fhir/**").authenticated()
						.anyRequest().permitAll())
				.oauth2ResourceServer(oauth2 -> oauth2.authenticationManagerResolver(resolver));
		return http.build();
	}
}
