package org.lactationcds.readmodel;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.persistence.EntityManagerFactory;
import org.lactationcds.dyad.LocalFhirDataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.SharedEntityManagerCreator;

/**
 * The per-patient data versions (always kept, whatever reads them) and, unless switched off, the CDS path's reads
 * through them.
 */
@Configuration(proxyBeanMethods = false)
public class ReadModelConfiguration {

	@Bean
	public PatientDataVersions patientDataVersions(JdbcTemplate jdbc, EntityManagerFactory entityManagerFactory) {
		PatientDataVersions versions =
				new PatientDataVersions(jdbc, SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory));
		versions.createSchema();
		return versions;
	}

	@Bean
	public PatientDataVersionInterceptor patientDataVersionInterceptor(
			PatientDataVersions versions, FhirContext fhirContext, IInterceptorService interceptors) {
		PatientDataVersionInterceptor interceptor = new PatientDataVersionInterceptor(versions, fhirContext);
		interceptors.registerInterceptor(interceptor);
		return interceptor;
	}

	@Bean
	@ConditionalOnProperty(name = "lactation-cds.read-model.enabled", havingValue = "true", matchIfMissing = true)
	public PatientReadModel patientReadModel(LocalFhirDataSource store, PatientDataVersions versions, FhirContext fhirContext,
			ReadModelProperties properties, MeterRegistry meters) {
		return new PatientReadModel(store, versions, fhirContext, properties.maxResources(), meters);
	}
}
