package org.lactationcds.knowledge;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Rejects a Library published through FHIR REST whose CQL does not compile against the running knowledge: 422 with
 * the translator's errors, and nothing is stored. (The packaged knowledge is compiled by the loader itself.)
 */
@Interceptor
public class CqlPublishCheck {

	private final KnowledgeLoader loader;
	private final CqlLibraryCompiler compiler;
	private final FhirContext fhirContext;

	public CqlPublishCheck(KnowledgeLoader loader, CqlLibraryCompiler compiler, FhirContext fhirContext) {
		this.loader = loader;
		this.compiler = compiler;
		this.fhirContext = fhirContext;
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		check(resource, request);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		check(resource, request);
	}

	private void check(IBaseResource resource, RequestDetails request) {
		if (request instanceof SystemRequestDetails || !(resource instanceof Library library)) {
			return;
		}
		String cql = KnowledgePackage.cqlContent(library);
		if (cql == null) {
			return;
		}
		// The published library (and what it includes from the running knowledge) is what gets compiled.
		KnowledgeSnapshot running = loader.current();
		Map<String, String> sources = new HashMap<>(running.knowledge().cqlByLibrary());
		sources.put(KnowledgePackage.key(library.getName(), library.getVersion()), cql);
		KnowledgePackage candidate =
				new KnowledgePackage("Library/" + library.getIdElement().getIdPart(), List.of(library), sources);
		try {
			compiler.compile(candidate, KnowledgeLoader.carriedOver(running, candidate));
		} catch (KnowledgeException e) {
			OperationOutcome outcome = new OperationOutcome();
			for (String line : e.getMessage().split("\n")) {
				outcome.addIssue()
						.setSeverity(OperationOutcome.IssueSeverity.ERROR)
						.setCode(OperationOutcome.IssueType.INVALID)
						.setDiagnostics(line.strip());
			}
			throw new UnprocessableEntityException(fhirContext, outcome);
		}
	}
}
