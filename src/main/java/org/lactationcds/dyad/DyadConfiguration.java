package org.lactationcds.dyad;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The dyad assembly and the store's reads, shared by the CDS service and FHIR {@code $apply}. */
@Configuration(proxyBeanMethods = false)
public class DyadConfiguration {

	@Bean
	public LocalFhirDataSource localFhirDataSource(
			FhirContext fhirContext, DaoRegistry daoRegistry, MatchUrlService matchUrlService) {
		return new LocalFhirDataSource(fhirContext, daoRegistry, matchUrlService);
	}

	@Bean
	public DyadAssembler dyadAssembler() {
		return new DyadAssembler();
	}
}
