package org.lactationcds.fhir;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.IDaoRegistry;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.binstore.DatabaseBinaryContentStorageSvcImpl;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.config.util.ResourceCountCacheUtil;
import ca.uhn.fhir.jpa.dao.FulltextSearchSvcImpl;
import ca.uhn.fhir.jpa.dao.IFulltextSearchSvc;
import ca.uhn.fhir.jpa.dao.index.SearchParamWithInlineReferencesExtractor;
import ca.uhn.fhir.jpa.dao.search.HSearchSortHelperImpl;
import ca.uhn.fhir.jpa.dao.search.IHSearchSortHelper;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.provider.DaoRegistryResourceSupportedSvc;
import ca.uhn.fhir.jpa.provider.IJpaSystemProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.jpa.search.IStaleSearchDeletingSvc;
import ca.uhn.fhir.jpa.search.StaleSearchDeletingSvcImpl;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.jpa.util.ResourceCountCache;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.IResourceSupportedSvc;
import ca.uhn.fhir.rest.server.HardcodedServerAddressStrategy;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import jakarta.persistence.EntityManagerFactory;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.hibernate.cfg.AvailableSettings;
import org.lactationcds.dyad.LocalFhirDataSource;
import org.lactationcds.security.PublicUrlProperties;
import org.lactationcds.security.SecurityProperties;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.autoconfigure.orm.jpa.JpaProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/**
 * HAPI FHIR JPA server for R4 at {@code /fhir}. HAPI's own configuration classes bring the DAOs, search and
 * validation; this class supplies what they expect from the host application: storage settings, the entity
 * manager on Spring's datasource, and the REST servlet.
 */
@Configuration(proxyBeanMethods = false)
// SubscriptionChannelConfig supplies the in-process message broker that HAPI's batch jobs (reindex, expunge) use.
@Import({
	JpaR4Config.class,
	JpaBatch2Config.class,
	Batch2JobsConfig.class,
	SubscriptionChannelConfig.class,
	ThreadPoolFactoryConfig.class
})
public class FhirServerConfiguration {

	static final String FHIR_PATH = "/fhir";

	/** Every SQL statement bounded by {@code lactation-cds.fhir.limits.query-timeout}. */
	@Bean
	static StatementTimeout statementTimeout(org.springframework.core.env.Environment environment) {
		return new StatementTimeout(environment);
	}

	@Bean
	public JpaStorageSettings jpaStorageSettings() {
		JpaStorageSettings settings = new JpaStorageSettings();
		// A clinic that writes and then searches must see its write: never answer a search from a cached result.
		settings.setReuseCachedSearchResultsForMillis(null);
		// Clinics re-send visits; ids they assign (e.g. Patient/mom-01) are allowed alongside server ids.
		settings.setResourceClientIdStrategy(JpaStorageSettings.ClientIdStrategyEnum.ALPHANUMERIC);
		// Search index rows carry only hashes, not the parameter name and resource type: fewer bytes written per
		// resource (measured +12% ingest on PostgreSQL). Applies to a schema created by this server.
		settings.setIndexStorageOptimized(true);
		// HAPI's background pre-expansion of stored ValueSets needs Hibernate Search (not used here) and logged an error
		// per ValueSet at every start; the knowledge's ValueSets are small enumerations that $expand expands in memory.
		settings.setPreExpandValueSets(false);
		return settings;
	}

	/** Replaces HAPI's own extractor of the same type (see the class for why). */
	@Primary
	@Bean
	public ISearchParamExtractor jpaSearchParamExtractor(JpaStorageSettings storageSettings) {
		return new JpaSearchParamExtractor(storageSettings);
	}

	/** Replaces HAPI's own indexing step of the same type (see the class for why). */
	@Primary
	@Bean
	public SearchParamWithInlineReferencesExtractor deferredTransactionIndexing(FhirContext fhirContext) {
		return new DeferredTransactionIndexing(fhirContext);
	}

	@Bean
	public PartitionSettings partitionSettings() {
		return new PartitionSettings();
	}

	@Bean
	public SubscriptionSettings subscriptionSettings() {
		return new SubscriptionSettings();
	}

	@Primary
	@Bean
	public LocalContainerEntityManagerFactoryBean entityManagerFactory(
			ConfigurableListableBeanFactory beanFactory,
			FhirContext fhirContext,
			JpaStorageSettings storageSettings,
			DataSource dataSource,
			DataSourceProperties dataSourceProperties,
			JpaProperties jpaProperties) {
		LocalContainerEntityManagerFactoryBean factory =
				HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
		Map<String, String> properties = new HashMap<>(jpaProperties.getProperties());
		properties.put(AvailableSettings.DIALECT, HapiDialects.forJdbcUrl(dataSourceProperties.determineUrl()));
		properties.putIfAbsent(AvailableSettings.HBM2DDL_AUTO, "update");
		properties.putIfAbsent(AvailableSettings.SCANNER, "org.hibernate.boot.archive.scan.internal.DisabledScanner");
		properties.putIfAbsent(AvailableSettings.USE_SECOND_LEVEL_CACHE, "false");
		properties.putIfAbsent(AvailableSettings.USE_QUERY_CACHE, "false");
		// Full-text indexing (Lucene/Elasticsearch) is not used.
		properties.putIfAbsent("hibernate.search.enabled", "false");
		factory.setPersistenceUnitName("HAPI_PU");
		factory.setJpaPropertyMap(properties);
		factory.setDataSource(dataSource);
		return factory;
	}

	@Primary
	@Bean
	public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
		return new JpaTransactionManager(entityManagerFactory);
	}

	@Bean
	public IFulltextSearchSvc fullTextSearchSvc() {
		return new FulltextSearchSvcImpl();
	}

	@Bean
	public IHSearchSortHelper hSearchSortHelper(ISearchParamRegistry searchParamRegistry) {
		return new HSearchSortHelperImpl(searchParamRegistry);
	}

	@Bean
	public IStaleSearchDeletingSvc staleSearchDeletingSvc() {
		return new StaleSearchDeletingSvcImpl();
	}

	@Bean
	public DatabaseBinaryContentStorageSvcImpl binaryStorageSvc() {
		return new DatabaseBinaryContentStorageSvcImpl();
	}

	@Bean
	public DatabaseBackedPagingProvider databaseBackedPagingProvider(FhirServerProperties properties) {
		DatabaseBackedPagingProvider provider = new DatabaseBackedPagingProvider();
		provider.setDefaultPageSize(properties.defaultPageSize());
		provider.setMaximumPageSize(properties.maxPageSize());
		return provider;
	}

	@Bean
	public IResourceSupportedSvc resourceSupportedSvc(IDaoRegistry daoRegistry) {
		return new DaoRegistryResourceSupportedSvc(daoRegistry);
	}

	@Bean(name = "myResourceCountsCache")
	public ResourceCountCache resourceCountsCache(IFhirSystemDao<?, ?> systemDao) {
		return ResourceCountCacheUtil.newResourceCountCache(systemDao);
	}

	@Bean
	public RestfulServer fhirRestfulServer(
			IFhirSystemDao<?, ?> systemDao,
			ResourceProviderFactory resourceProviders,
			IJpaSystemProvider systemProvider,
			JpaStorageSettings storageSettings,
			ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport,
			DatabaseBackedPagingProvider pagingProvider,
			FhirServerProperties properties,
			FhirLimitsProperties limits,
			SecurityProperties security,
			PublicUrlProperties publicUrl,
			LocalFhirDataSource store) {
		RestfulServer server = new RestfulServer(systemDao.getContext());
		server.registerProviders(resourceProviders.createProviders());
		server.registerProvider(systemProvider);
		server.setServerConformanceProvider(new JpaCapabilityStatementProvider(
				server, systemDao, storageSettings, searchParamRegistry, validationSupport));
		server.setPagingProvider(pagingProvider);
		server.setDefaultResponseEncoding(EncodingEnum.JSON);
		// Links (paging, Location) name the configured public URL, never a Host header or a proxy's internal name.
		String publicBase = publicUrl.publicBaseUrl();
		server.setServerAddressStrategy(publicBase == null || publicBase.isBlank()
				? new IncomingRequestAddressStrategy()
				: new HardcodedServerAddressStrategy(publicBase.trim().replaceAll("/+$", "") + FHIR_PATH));
		server.setImplementationDescription("Lactation CDS");
		server.registerInterceptor(new ErrorBodyInterceptor());
		if (security.fhirIssuersConfigured()) {
			// Before the body is read: a caller with no scope for the target is refused first.
			server.registerInterceptor(new ScopePreCheckInterceptor());
		}
		server.registerInterceptor(new InputLimitsInterceptor(limits));
		if (security.fhirIssuersConfigured()) {
			// Patient scopes cover the dyad only when the site chose so; the links are then read from the store itself.
			server.registerInterceptor(new SmartScopeAuthorizationInterceptor(systemDao.getContext(),
					security.patientScopesCoverDyad() ? store : null));
		}
		if (properties.validateRequests()) {
			server.registerInterceptor(new WriteValidationInterceptor(validationSupport));
		}
		return server;
	}

	@Bean
	public ServletRegistrationBean<RestfulServer> fhirServletRegistration(RestfulServer fhirRestfulServer) {
		ServletRegistrationBean<RestfulServer> registration =
				new ServletRegistrationBean<>(fhirRestfulServer, FHIR_PATH + "/*");
		registration.setName("fhir");
		registration.setLoadOnStartup(1);
		return registration;
	}
}
