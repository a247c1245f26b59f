package org.lactationcds.governance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.lactationcds.audit.AuditTrail;
import org.lactationcds.cds.CdsProperties;
import org.lactationcds.demo.ExamplesProperties;
import org.lactationcds.evaluation.EvaluationBudget;
import org.lactationcds.knowledge.KnowledgeException;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.lactationcds.knowledge.KnowledgeStoreReader;
import org.lactationcds.security.SecurityProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/** Knowledge publishing through FHIR REST: the governing interceptor, the releases and the operators' operations. */
@Configuration(proxyBeanMethods = false)
public class GovernanceConfiguration {

	@Bean
	KnowledgeReleases knowledgeReleases(DaoRegistry daoRegistry, FhirContext fhirContext) {
		return new KnowledgeReleases(daoRegistry, fhirContext);
	}

	@Bean
	public KnowledgePublishing knowledgePublishing(
			KnowledgeLoader loader,
			DaoRegistry daoRegistry,
			EvaluationBudget budget,
			FhirContext fhirContext,
			CdsProperties cds,
			ExamplesProperties examples,
			SecurityProperties security,
			KnowledgeReleases releases,
			IInterceptorService interceptors,
			AuditTrail audit) {
		CandidateCheck check = new CandidateCheck(
				loader, budget, fhirContext, cds.planDefinition(), demoDyads(fhirContext, examples.location()));
		KnowledgePublishing publishing = new KnowledgePublishing(loader, new KnowledgeStoreReader(daoRegistry), check,
				releases, fhirContext, security.fhirIssuersConfigured(), audit);
		interceptors.registerInterceptor(publishing);
		return publishing;
	}

	@Bean
	public KnowledgeOperations knowledgeOperations(
			KnowledgeLoader loader,
			KnowledgeReleases releases,
			DaoRegistry daoRegistry,
			IFhirSystemDao<Bundle, ?> systemDao,
			SecurityProperties security,
			RestfulServer fhirRestfulServer) {
		KnowledgeOperations operations =
				new KnowledgeOperations(loader, releases, daoRegistry, systemDao, security.fhirIssuersConfigured());
		fhirRestfulServer.registerProvider(operations);
		return operations;
	}

	/** The demo dyads a publish is smoke-evaluated on (read once; not loaded into the store by this). */
	private static List<Bundle> demoDyads(FhirContext fhirContext, String location) {
		List<Bundle> dyads = new ArrayList<>();
		try {
			for (org.springframework.core.io.Resource file :
					new PathMatchingResourcePatternResolver().getResources(location + "/*.json")) {
				try (InputStream in = file.getInputStream()) {
					dyads.add(fhirContext.newJsonParser().parseResource(Bundle.class, in));
				}
			}
		} catch (IOException e) {
			throw new KnowledgeException("Cannot read the demo dyads in " + location, e);
		}
		return dyads;
	}
}
