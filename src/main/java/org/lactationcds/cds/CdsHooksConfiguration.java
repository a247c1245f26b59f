package org.lactationcds.cds;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import org.lactationcds.cds.card.CardMapper;
import org.lactationcds.cds.feedback.FeedbackParser;
import org.lactationcds.cds.feedback.FeedbackStore;
import org.lactationcds.cds.prefetch.DyadAssembler;
import org.lactationcds.cds.prefetch.LocalFhirDataSource;
import org.lactationcds.cds.prefetch.PrefetchProperties;
import org.lactationcds.cds.prefetch.PrefetchResolver;
import org.lactationcds.demo.ExampleDataLoader;
import org.lactationcds.demo.ExamplesProperties;
import org.lactationcds.evaluation.EvaluationBudget;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;

/** The CDS Hooks service: request parsing, data gathering, evaluation, cards, feedback and CORS. */
@Configuration(proxyBeanMethods = false)
public class CdsHooksConfiguration {

	@Bean
	public CdsServiceCatalog cdsServiceCatalog(CdsProperties properties) {
		return new CdsServiceCatalog(properties.planDefinition());
	}

	@Bean
	public CdsRequestParser cdsRequestParser(ObjectMapper json, FhirContext fhirContext) {
		return new CdsRequestParser(json, fhirContext);
	}

	@Bean
	public LocalFhirDataSource localFhirDataSource(
			FhirContext fhirContext, DaoRegistry daoRegistry, MatchUrlService matchUrlService) {
		return new LocalFhirDataSource(fhirContext, daoRegistry, matchUrlService);
	}

	@Bean
	public FhirDataSources fhirDataSources(FhirContext fhirContext, LocalFhirDataSource store, PrefetchProperties limits) {
		return new FhirDataSources(fhirContext, store, limits);
	}

	@Bean
	public CdsServiceInvoker cdsServiceInvoker(
			KnowledgeLoader knowledge,
			CdsRequestParser parser,
			FhirContext fhirContext,
			ObjectMapper json,
			Clock clock,
			MeterRegistry meters,
			EvaluationBudget budget) {
		DyadAssembler dyads = new DyadAssembler(new PrefetchResolver(parser));
		return new CdsServiceInvoker(knowledge::current, dyads, new CardMapper(fhirContext, json), clock, meters, budget);
	}

	/** Last of the start-up runners: the knowledge is loaded (its loader runs first). */
	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	@ConditionalOnProperty(name = "lactation-cds.cds.warm-up", havingValue = "true", matchIfMissing = true)
	public CdsWarmUp cdsWarmUp(
			KnowledgeLoader knowledge,
			CdsServiceCatalog catalog,
			CdsServiceInvoker invoker,
			LocalFhirDataSource store,
			ExamplesProperties examples,
			FhirContext fhirContext,
			Clock clock) {
		return new CdsWarmUp(knowledge, catalog, invoker, store, ExampleDataLoader.readAll(examples.location(), fhirContext),
				clock);
	}

	@Bean
	public FeedbackParser feedbackParser(ObjectMapper json) {
		return new FeedbackParser(json);
	}

	@Bean
	public FeedbackStore feedbackStore(JdbcTemplate jdbc) {
		FeedbackStore store = new FeedbackStore(jdbc);
		store.createSchema();
		return store;
	}

	/**
	 * CORS for browser-based CDS clients and SMART apps: preflight and actual responses (POST included) on
	 * /cds-services and /fhir, for the configured origins only (CDS Hooks 2.0, "Cross-Origin Resource Sharing").
	 */
	@Bean
	public FilterRegistrationBean<CorsFilter> corsFilter(CdsProperties properties) {
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		if (!properties.corsAllowedOrigins().isEmpty()) {
			CorsConfiguration cors = new CorsConfiguration();
			cors.setAllowedOrigins(properties.corsAllowedOrigins());
			cors.setAllowedMethods(List.of("GET", "POST", "PUT", "DELETE", "OPTIONS"));
			cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Accept", "Prefer", "If-None-Exist", "If-Match"));
			cors.setExposedHeaders(List.of("Location", "Content-Location", "ETag"));
			cors.setMaxAge(3600L);
			source.registerCorsConfiguration("/cds-services/**", cors);
			source.registerCorsConfiguration("/cds-services", cors);
			source.registerCorsConfiguration("/fhir/**", cors);
		}
		FilterRegistrationBean<CorsFilter> registration = new FilterRegistrationBean<>(new CorsFilter(source));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}
}
