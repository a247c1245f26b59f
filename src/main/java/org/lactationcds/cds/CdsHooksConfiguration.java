package org.lactationcds.cds;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.lactationcds.cds.card.CardMapper;
import org.lactationcds.dyad.DyadAssembler;
import org.lactationcds.dyad.LocalFhirDataSource;
import org.lactationcds.dyad.LocalStoreReads;
import org.lactationcds.cds.prefetch.PrefetchProperties;
import org.lactationcds.demo.ExampleDataLoader;
import org.lactationcds.demo.ExamplesProperties;
import org.lactationcds.evaluation.EvaluationBudget;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.filter.CorsFilter;

/** The CDS Hooks service: request parsing, data gathering, evaluation, cards, feedback and CORS. */
@Configuration(proxyBeanMethods = false)
public class CdsHooksConfiguration {

	@Bean
	public CdsServiceCatalog cdsServiceCatalog(CdsProperties properties) {
		return new CdsServiceCatalog(properties.planDefinition());
	}

	@Bean
	public CdsRequestParser cdsRequestParser(ObjectMapper json, FhirContext fhirContext, PrefetchProperties limits) {
		return new CdsRequestParser(json, fhirContext, limits.maxResources());
	}

	@Bean
	public FhirDataSources fhirDataSources(FhirContext fhirContext, LocalFhirDataSource store, PrefetchProperties limits,
			ObjectProvider<LocalStoreReads> readModel) {
		return new FhirDataSources(fhirContext, storeReads(store, readModel), limits);
	}

	/** The read model's reads when it runs (package readmodel), else the store's own. */
	private static LocalStoreReads storeReads(LocalFhirDataSource store, ObjectProvider<LocalStoreReads> readModel) {
		return readModel.getIfAvailable(() -> () -> store);
	}

	@Bean
	public CdsServiceInvoker cdsServiceInvoker(
			KnowledgeLoader knowledge,
			CdsRequestParser parser,
			FhirContext fhirContext,
			ObjectMapper json,
			Clock clock,
			MeterRegistry meters,
			EvaluationBudget budget,
			DyadAssembler dyads) {
		return new CdsServiceInvoker(
				knowledge::current, new PrefetchResolver(parser), dyads, new CardMapper(fhirContext, json), clock, meters, budget);
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
			ObjectProvider<LocalStoreReads> readModel,
			ExamplesProperties examples,
			FhirContext fhirContext,
			Clock clock,
			WarmUpProperties limits) {
		return new CdsWarmUp(knowledge, catalog, invoker, storeReads(store, readModel),
				ExampleDataLoader.readAll(examples.location(), fhirContext), clock, limits);
	}

	/**
	 * CORS for browser-based CDS clients (the CDS Hooks sandbox): preflight and actual responses on /cds-services for
	 * the configured origins only (CDS Hooks 2.0, "Cross-Origin Resource Sharing"). A refused origin gets the CDS
	 * error body.
	 */
	@Bean
	public FilterRegistrationBean<CorsFilter> corsFilter(CdsProperties properties) {
		return BrowserCors.registration(properties.corsAllowedOrigins(), "application/json",
				"{\"error\":\"Forbidden\",\"message\":\"this origin is not allowed (lactation-cds.cds.cors-allowed-origins)\"}",
				"/cds-services", "/cds-services/*");
	}

	/** Inside CORS (so a browser can read the errors), outside everything else on /cds-services. */
	@Bean
	public FilterRegistrationBean<CdsJsonEdgeFilter> cdsJsonEdgeFilter(ObjectMapper json) {
		FilterRegistrationBean<CdsJsonEdgeFilter> registration = new FilterRegistrationBean<>(new CdsJsonEdgeFilter(json));
		registration.addUrlPatterns("/cds-services", "/cds-services/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
		return registration;
	}

	/**
	 * The same origins on /fhir: a browser client of the CDS service (the sandbox, a SMART app) reads the patient's
	 * data and the server's metadata there. A refused origin gets an OperationOutcome.
	 */
	@Bean
	public FilterRegistrationBean<CorsFilter> fhirCorsFilter(CdsProperties properties) {
		return BrowserCors.registration(properties.corsAllowedOrigins(), "application/fhir+json",
				"{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"forbidden\","
						+ "\"diagnostics\":\"this origin is not allowed (lactation-cds.cds.cors-allowed-origins)\"}]}",
				"/fhir/*");
	}
}
