package org.lactationcds.evaluation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.time.Clock;
import java.time.ZoneId;
import org.lactationcds.dyad.DyadAssembler;
import org.lactationcds.dyad.LocalFhirDataSource;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** PlanDefinition evaluation exposed over FHIR REST ({@code $apply}). */
@Configuration(proxyBeanMethods = false)
public class EvaluationConfiguration {

	/**
	 * "Now" for evaluations: the system clock in the clinical time zone ({@code lactation-cds.evaluation.clinical-time-zone},
	 * default UTC, never the JVM's default), where a birthDate without a time starts; tests replace it.
	 */
	@Bean
	@ConditionalOnMissingBean
	public Clock clock(@Value("${lactation-cds.evaluation.clinical-time-zone:UTC}") ZoneId clinicalTimeZone) {
		return Clock.system(clinicalTimeZone);
	}

	@Bean
	public EvaluationBudget evaluationBudget(EvaluationProperties properties) {
		return new EvaluationBudget(properties.timeBudget());
	}

	/** Created here and added to the FHIR server, which the FHIR configuration builds without knowing about it. */
	@Bean
	public ApplyOperationProvider applyOperationProvider(KnowledgeLoader knowledgeLoader, DaoRegistry daoRegistry,
			LocalFhirDataSource store, DyadAssembler dyads, FhirContext fhirContext, Clock clock,
			RestfulServer fhirRestfulServer) {
		ApplyOperationProvider provider =
				new ApplyOperationProvider(knowledgeLoader, daoRegistry, store, dyads, fhirContext, clock);
		fhirRestfulServer.registerProvider(provider);
		return provider;
	}
}
