package org.lactationcds.knowledge;

import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.concurrent.atomic.AtomicReference;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * At start-up, before the server reports ready: reads the knowledge, compiles every CQL library (a library that does
 * not compile stops start-up with its errors), and upserts every resource into the FHIR store in one transaction.
 *
 * <p>The upsert is idempotent: HAPI does not create a new version for an update whose content is unchanged, so a
 * second start changes nothing, and a changed file becomes a new version of the stored resource.
 */
public class KnowledgeLoader implements ApplicationRunner {

	private static final Logger log = LoggerFactory.getLogger(KnowledgeLoader.class);

	private final KnowledgeProperties properties;
	private final KnowledgePackageReader reader;
	private final CqlLibraryCompiler compiler;
	private final IFhirSystemDao<Bundle, ?> systemDao;
	private final EvaluationSettings evaluationSettings;
	private final AtomicReference<KnowledgeSnapshot> current = new AtomicReference<>();

	public KnowledgeLoader(
			KnowledgeProperties properties,
			KnowledgePackageReader reader,
			CqlLibraryCompiler compiler,
			IFhirSystemDao<Bundle, ?> systemDao,
			EvaluationSettings evaluationSettings) {
		this.properties = properties;
		this.reader = reader;
		this.compiler = compiler;
		this.systemDao = systemDao;
		this.evaluationSettings = evaluationSettings;
	}

	@Override
	public void run(ApplicationArguments args) {
		load();
	}

	/** Reads, compiles and stores the knowledge; returns what was loaded. */
	public KnowledgePackage load() {
		long start = System.nanoTime();
		KnowledgePackage knowledge = reader.read(properties.location());
		compiler.compile(knowledge);
		systemDao.transaction(new SystemRequestDetails(), upsertTransaction(knowledge));
		current.set(KnowledgeSnapshot.of(systemDao.getContext(), knowledge, evaluationSettings));
		log.info("Knowledge loaded from {}: {} resources, {} CQL libraries compiled, in {} ms",
				knowledge.location(), knowledge.resources().size(), knowledge.cqlLibraries().size(),
				(System.nanoTime() - start) / 1_000_000);
		return knowledge;
	}

	/** The knowledge evaluations run on: the one most recently loaded. */
	public KnowledgeSnapshot current() {
		KnowledgeSnapshot snapshot = current.get();
		if (snapshot == null) {
			throw new IllegalStateException("The knowledge is not loaded yet");
		}
		return snapshot;
	}

	private static Bundle upsertTransaction(KnowledgePackage knowledge) {
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource resource : knowledge.resources()) {
			String reference = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
			transaction.addEntry()
					.setFullUrl(reference)
					.setResource(resource)
					.getRequest()
					.setMethod(HTTPVerb.PUT)
					.setUrl(reference);
		}
		return transaction;
	}
}
