package org.lactationcds.discovery;

import ca.uhn.fhir.rest.server.RestfulServer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Optional;
import org.lactationcds.cds.CdsProperties;
import org.lactationcds.security.SecurityProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/** SMART discovery on the FHIR base and the CapabilityStatement's security and operations. */
@Configuration(proxyBeanMethods = false)
public class DiscoveryConfiguration {

	static final String SMART_CONFIGURATION_PATH = "/fhir/.well-known/smart-configuration";
	private static final Logger log = LoggerFactory.getLogger(DiscoveryConfiguration.class);

	@Bean
	public AdvertisedCapabilities advertisedCapabilities(
			RestfulServer fhirRestfulServer, SecurityProperties security, SmartProperties smart, CdsProperties cds) {
		AdvertisedCapabilities capabilities = new AdvertisedCapabilities(!cds.corsAllowedOrigins().isEmpty(),
				security.fhirIssuersConfigured(), SmartConfiguration.document(security, smart).orElse(Map.of()));
		fhirRestfulServer.registerInterceptor(capabilities);
		return capabilities;
	}

	/**
	 * {@code /fhir/.well-known/smart-configuration}: an exact servlet mapping, which the servlet container prefers to
	 * HAPI's {@code /fhir/*}. Without SMART configured the path is HAPI's (an OperationOutcome 4xx).
	 */
	@Bean
	public ServletRegistrationBean<SmartConfigurationServlet> smartConfigurationServlet(
			SecurityProperties security, SmartProperties smart, ObjectMapper json) throws JsonProcessingException {
		Optional<Map<String, Object>> document = SmartConfiguration.document(security, smart);
		if (security.fhirIssuersConfigured() && document.isEmpty()) {
			log.warn("FHIR issuers are configured but lactation-cds.smart.token-endpoint (LACTATION_CDS_SMART_TOKEN_ENDPOINT) "
					+ "is not: SMART apps cannot discover how to get a token ({} answers 404)", SMART_CONFIGURATION_PATH);
		}
		ServletRegistrationBean<SmartConfigurationServlet> registration = new ServletRegistrationBean<>(
				new SmartConfigurationServlet(json.writeValueAsBytes(document.orElse(Map.of()))), SMART_CONFIGURATION_PATH);
		registration.setName("smart-configuration");
		registration.setEnabled(document.isPresent());
		return registration;
	}

	/** SMART requires the document to be readable without a token; this chain comes before the one guarding /fhir. */
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	public SecurityFilterChain smartConfigurationSecurity(HttpSecurity http) throws Exception {
		return http.securityMatcher(SMART_CONFIGURATION_PATH)
				.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
				.csrf(csrf -> csrf.disable())
				.sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.build();
	}
}
