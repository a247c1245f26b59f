package org.lactationcds.clinic;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.server.RestfulServer;
import org.hl7.fhir.r4.model.Bundle;
import org.lactationcds.cds.card.DyadViewLink;
import org.lactationcds.discovery.SmartProperties;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.lactationcds.security.PublicUrlProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The clinic visit operations ($submit-visit, the visit Questionnaire's $populate), added to the FHIR server, which the FHIR configuration builds without knowing about it. */
@Configuration(proxyBeanMethods = false)
public class ClinicConfiguration {

	/**
	 * Where patient-view cards link to this app's dyad view: a SMART launch when configured, else the view's address.
	 * Declared here, with the app it opens, so the CDS service needs nothing from SMART discovery.
	 */
	@Bean
	public DyadViewLink dyadViewLink(PublicUrlProperties publicUrl, SmartProperties smart) {
		return new DyadViewLink(publicUrl.publicBaseUrl(), smart.appLaunchConfigured() ? smart.appLaunchUrl() : null);
	}

	@Bean
	public SubmitVisitOperationProvider submitVisitOperationProvider(
			FhirContext fhirContext, DaoRegistry daoRegistry, IFhirSystemDao<Bundle, ?> systemDao, RestfulServer fhirRestfulServer) {
		SubmitVisitOperationProvider provider = new SubmitVisitOperationProvider(fhirContext, daoRegistry, systemDao);
		fhirRestfulServer.registerProvider(provider);
		return provider;
	}

	@Bean
	public PopulateVisitOperationProvider populateVisitOperationProvider(
			DaoRegistry daoRegistry, RestfulServer fhirRestfulServer, KnowledgeLoader knowledge) {
		PopulateVisitOperationProvider provider =
				new PopulateVisitOperationProvider(daoRegistry, () -> knowledge.current().knowledge());
		fhirRestfulServer.registerProvider(provider);
		return provider;
	}
}
