package org.lactationcds.security;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

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

	/** First of all: a request for another host name is not answered at all. */
	@Bean
	public FilterRegistrationBean<HostCheckFilter> hostCheckFilter(
			@Value("${server.address:}") String serverAddress, PublicUrlProperties publicUrl) {
		FilterRegistrationBean<HostCheckFilter> registration = new FilterRegistrationBean<>(
				new HostCheckFilter(publicUrl.publicBaseUrl(), SecurityModeCheck.isLoopback(serverAddress)));
		registration.addUrlPatterns("/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

	/** Before everything else that reads a body. */
	@Bean
	public FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(SecurityProperties security) {
		FilterRegistrationBean<RequestSizeLimitFilter> registration =
				new FilterRegistrationBean<>(new RequestSizeLimitFilter(security.maxRequestBytes()));
		registration.addUrlPatterns("/cds-services/*", "/fhir/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 5);
		return registration;
	}
}
