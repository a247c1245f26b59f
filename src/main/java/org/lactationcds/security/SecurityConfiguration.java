package org.lactationcds.security;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The start-up security decision, made before anything serves. */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

	@Bean
	public SecurityModeCheck.Decision securityDecision(
			@Value("${server.address:}") String serverAddress, SecurityProperties security, PublicUrlProperties publicUrl) {
		SecurityModeCheck.Decision decision = SecurityModeCheck.decide(serverAddress, security, publicUrl);
		SecurityModeCheck.logDecision(decision);
		return decision;
	}
}
