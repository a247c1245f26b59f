package org.lactationcds.cds.security;

import java.nio.file.Path;
import java.time.Clock;
import org.lactationcds.security.PublicUrlProperties;
import org.lactationcds.security.SecurityModeCheck;
import org.lactationcds.security.SecurityProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;

/** CDS client trust (on when a clients file is configured), and the key that marks the cards this server issues. */
@Configuration(proxyBeanMethods = false)
public class CdsSecurityConfiguration {

	private static final Logger log = LoggerFactory.getLogger(CdsSecurityConfiguration.class);

	@Bean
	public IssuedCards issuedCards(JdbcTemplate jdbc, @Value("${lactation-cds.security.card-key:}") String configuredKey) {
		return IssuedCards.load(jdbc, configuredKey);
	}

	@Bean
	@ConditionalOnProperty("lactation-cds.security.cds-clients-file")
	public ClientJwtVerifier clientJwtVerifier(
			SecurityProperties security, Clock clock, SecurityModeCheck.Decision decision, JdbcTemplate jdbc) {
		TrustedClients clients = TrustedClients.read(Path.of(security.cdsClientsFile()));
		log.info("CDS Hooks calls require a JWT of one of {} trusted clients (algorithms {}, lifetime at most {})",
				clients.size(), security.algorithms(), security.cdsTokenMaxLifetime());
		TokenUseStore replays = new TokenUseStore(jdbc, security.replayCacheSize()).createSchema();
		return new ClientJwtVerifier(
				clients, security.algorithms(), security.clockSkew(), security.cdsTokenMaxLifetime(), replays, clock);
	}

	/** After CORS (highest precedence), so a browser's preflight is answered before any credentials are asked for. */
	@Bean
	@ConditionalOnProperty("lactation-cds.security.cds-clients-file")
	public FilterRegistrationBean<CdsClientAuthenticationFilter> cdsClientAuthenticationFilter(
			ClientJwtVerifier verifier, PublicUrlProperties publicUrl) {
		FilterRegistrationBean<CdsClientAuthenticationFilter> registration =
				new FilterRegistrationBean<>(new CdsClientAuthenticationFilter(verifier, publicUrl.publicBaseUrl()));
		registration.addUrlPatterns("/cds-services", "/cds-services/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}
}
