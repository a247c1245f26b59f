package org.lactationcds.knowledge;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.cache.IResourceChangeListenerRegistry;
import ca.uhn.fhir.jpa.cache.ResourceChangeListenerRegistryInterceptor;
import org.hl7.fhir.r4.model.Bundle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/** Knowledge reading, CQL compilation, loading into the store at start-up, and refresh when the store changes. */
@Configuration(proxyBeanMethods = false)
public class KnowledgeConfiguration {

	@Bean
	public KnowledgePackageReader knowledgePackageReader(FhirContext fhirContext) {
		return new KnowledgePackageReader(fhirContext);
	}

	@Bean
	public CqlLibraryCompiler cqlLibraryCompiler() {
		return new CqlLibraryCompiler();
	}

	/** First of the start-up runners: everything else that runs at start-up needs the knowledge. */
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	public KnowledgeLoader knowledgeLoader(
			KnowledgeProperties properties,
			KnowledgePackageReader reader,
			CqlLibraryCompiler compiler,
			IFhirSystemDao<Bundle, ?> systemDao,
			DaoRegistry daoRegistry) {
		return new KnowledgeLoader(
				properties, reader, new KnowledgeStoreReader(daoRegistry), compiler, systemDao, daoRegistry);
	}

	/** Tells HAPI's change listeners about changes made through this instance (HAPI does not register it itself). */
	@Bean
	public ResourceChangeListenerRegistryInterceptor resourceChangeListenerRegistryInterceptor() {
		return new ResourceChangeListenerRegistryInterceptor();
	}

	@Bean
	public KnowledgeReloader knowledgeReloader(KnowledgeLoader loader, IResourceChangeListenerRegistry registry) {
		return new KnowledgeReloader(loader, registry);
	}
}
