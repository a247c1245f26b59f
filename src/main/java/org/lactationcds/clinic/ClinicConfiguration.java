package org.lactationcds.clinic;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.server.RestfulServer;
import org.hl7.fhir.r4.model.Bundle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The clinic visit operations ($submit-visit, the visit Questionnaire's $populate), added to the FHIR server, which the FHIR configuration builds without knowing about it. */
@Configuration(proxyBeanMethods = false)
public class ClinicConfiguration {

	@Bean
	public SubmitVisitOperationProvider submitVisitOperationProvider(
			FhirContext fhirContext, DaoRegistry daoRegistry, IFhirSystemDao<Bundle, ?> systemDao, RestfulServer fhirRestfulServer) {
		SubmitVisitOperationProvider provider = new SubmitVisitOperationProvider(fhirContext, daoRegistry, systemDao);
		fhirRestfulServer.registerProvider(provider);
		return provider;
	}

	@Bean
	public PopulateVisitOperationProvider populateVisitOperationProvider(DaoRegistry daoRegistry, RestfulServer fhirRestfulServer) {
		PopulateVisitOperationProvider provider = new PopulateVisitOperationProvider(daoRegistry);
		fhirRestfulServer.registerProvider(provider);
		return provider;
	}
}
