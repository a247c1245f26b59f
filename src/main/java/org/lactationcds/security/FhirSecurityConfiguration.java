package org.lactationcds.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.JwtIssuerAuthenticationManagerResolver;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.util.matcher.AntPathRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Spring Security for the FHIR door and the operational endpoints. With FHIR issuers configured, /fhir requires an
 * OAuth2 bearer JWT of one of them (signature by the issuer's JWKS; {@code iss}; {@code exp} present and not passed;
 * {@code nbf}; {@code aud} naming this server's FHIR base; header {@code typ} absent, {@code JWT} or {@code at+jwt} as
 * RFC 9068 access tokens carry); what the token's SMART scopes allow is then enforced inside the FHIR server
 * ({@code SmartScopeAuthorizationInterceptor}). {@code /fhir/metadata} and the health probes stay open. Bound beyond
 * loopback, the operational endpoints other than health need a token with {@link #OPERATOR_SCOPE} (without FHIR
 * issuers: refused). The clinic app's dyad cards ({@value #APP_CARDS}) are read with the app's SMART launch token, so
 * they sit behind the same check (the clinic code then decides which patients the token may see). The chain matches
 * /fhir, /actuator and that path only: /cds-services is authenticated by its own check
 * (CDS client JWTs, {@code cds.security}) and must never meet this resource server, which would refuse a CDS client's
 * token as a token of an unknown issuer. Stateless, no sessions, no CSRF (no cookies are used).
 */
@Configuration(proxyBeanMethods = false)
public class FhirSecurityConfiguration {

	/**
	 * The scope an operator's token (from a configured FHIR issuer) carries to read operational endpoints such as
	 * {@code /actuator/metrics} when the server is bound beyond loopback. Not a SMART scope: it grants nothing in FHIR.
	 */
	public static final String OPERATOR_SCOPE = "lactation-cds/operator";

	/** The clinic app's cards of a dyad, read with the SMART launch token. */
	public static final String APP_CARDS = "/app/api/cards";

	/** RFC 9068 access tokens say {@code at+jwt}; many issuers still say {@code JWT} or nothing. */
	private static final DefaultJOSEObjectTypeVerifier<com.nimbusds.jose.proc.SecurityContext> ACCESS_TOKEN_TYPES =
			new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null);

	@Bean
	public SecurityFilterChain securityFilterChain(HttpSecurity http, SecurityProperties security, PublicUrlProperties publicUrl,
			@Value("${server.address:}") String serverAddress) throws Exception {
		// Plain path matchers: /fhir is HAPI's servlet, not Spring MVC's, so MVC pattern matchers would not match it.
		http.securityMatcher(new OrRequestMatcher(paths("/fhir", "/fhir/**", "/actuator", "/actuator/**", APP_CARDS)))
				.csrf(csrf -> csrf.disable())
				.sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.httpBasic(basic -> basic.disable())
				.formLogin(form -> form.disable());
		if (!SecurityModeCheck.isLoopback(serverAddress)) {
			// Health probes stay open; metrics and any other operational endpoint need the operator's token.
			http.authorizeHttpRequests(requests -> requests
					.requestMatchers(paths("/actuator/health", "/actuator/health/**")).permitAll()
					.requestMatchers(paths("/actuator", "/actuator/**")).hasAuthority("SCOPE_" + OPERATOR_SCOPE));
		}
		if (!security.fhirIssuersConfigured()) {
			http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll());
			return http.build();
		}
		String audience = security.fhirAudience(publicUrl);
		Map<String, AuthenticationManager> managers = new HashMap<>();
		for (SecurityProperties.FhirIssuer issuer : security.fhirIssuers()) {
			NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(issuer.jwkSetUri())
					.jwtProcessorCustomizer(processor -> processor.setJWSTypeVerifier(ACCESS_TOKEN_TYPES))
					.build();
			decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
					JwtValidators.createDefaultWithIssuer(issuer.issuer()),
					new JwtClaimValidator<Instant>(JwtClaimNames.EXP, exp -> exp != null),
					new JwtClaimValidator<List<String>>(JwtClaimNames.AUD, aud -> aud != null && aud.stream()
							.anyMatch(named -> SecurityProperties.withoutTrailingSlash(named).equals(audience)))));
			managers.put(issuer.issuer(), new ProviderManager(new JwtAuthenticationProvider(decoder)));
		}
		JwtIssuerAuthenticationManagerResolver resolver = new JwtIssuerAuthenticationManagerResolver(managers::get);
		http.authorizeHttpRequests(requests -> requests
						.requestMatchers(paths("/fhir/metadata", "/fhir/metadata/**")).permitAll()
						.requestMatchers(paths("/fhir", "/fhir/**", APP_CARDS)).authenticated()
						.anyRequest().permitAll())
				.exceptionHandling(errors -> errors.authenticationEntryPoint(ENTRY_POINT))
				.oauth2ResourceServer(oauth2 -> oauth2.authenticationManagerResolver(resolver).authenticationEntryPoint(ENTRY_POINT));
		return http.build();
	}

	/**
	 * 401 with the bearer challenge, as the resource server answers; the app's JSON path also gets a JSON body the app
	 * can show (FHIR answers are left as they were).
	 */
	private static final AuthenticationEntryPoint ENTRY_POINT = (request, response, exception) -> {
		new BearerTokenAuthenticationEntryPoint().commence(request, response, exception);
		if (APP_CARDS.equals(request.getServletPath())) {
			response.setContentType("application/json");
			response.getWriter().write("{\"error\":\"Unauthorized\",\"message\":\"a valid bearer token from the SMART "
					+ "launch is required\"}");
		}
	};

	private static RequestMatcher[] paths(String... patterns) {
		return Arrays.stream(patterns).map(AntPathRequestMatcher::new).toArray(RequestMatcher[]::new);
	}
}
