package org.lactationcds.knowledge;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import org.hl7.fhir.r4.model.Bundle;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Knowledge reading, CQL compilation and loading into the store at start-up. */
@Configuration(proxyBeanMethods = false)
public class KnowledgeConfiguration {

	/**
	 * One set of engine caches (compiled libraries, models, value sets) for the whole server: libraries are
	 * compiled into it at start-up and every evaluation reads from it.
	 */
	@Bean
	public EvaluationSettings evaluationSettings() {
		return EvaluationSettings.getDefault();
	}

	@Bean
	public KnowledgePackageReader knowledgePackageReader(FhirContext fhirContext) {
		return new KnowledgePackageReader(fhirContext);
	}

	@Bean
	public CqlLibraryCompiler cqlLibraryCompiler(EvaluationSettings evaluationSettings) {
		return new CqlLibraryCompiler(evaluationSettings);
	}

	@Bean
	public KnowledgeLoader knowledgeLoader(
			KnowledgeProperties properties,
			KnowledgePackageReader reader,
			CqlLibraryCompiler compiler,
			IFhirSystemDao<Bundle, ?> systemDao,
			EvaluationSettings evaluationSettings) {
		return new KnowledgeLoader(properties, reader, compiler, systemDao, evaluationSettings);
	}
}
