package org.lactationcds.knowledge;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

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
		String cql = cqlOf(library);
		if (cql == null) {
			return;
		}
		KnowledgePackage running = loader.current().knowledge();
		Map<String, String> sources = new HashMap<>(running.cqlByLibrary());
		sources.put(KnowledgePackage.key(library.getName(), library.getVersion()), cql);
		List<Resource> resources = new ArrayList<>(running.resources());
		resources.add(library);
		KnowledgePackage candidate = new KnowledgePackage("Library/" + library.getIdElement().getIdPart(), resources, sources);
		try {
			compiler.compile(onlyThis(candidate, library), KnowledgeLoader.carriedOver(loader.current(), candidate));
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

	/** Compile the published library (and what it includes), not every library of the running knowledge. */
	private static KnowledgePackage onlyThis(KnowledgePackage candidate, Library library) {
		List<Resource> resources = new ArrayList<>();
		resources.add(library);
		return new KnowledgePackage(candidate.location(), resources, candidate.cqlByLibrary());
	}

	private static String cqlOf(Library library) {
		for (Attachment content : library.getContent()) {
			if ("text/cql".equals(content.getContentType()) && content.hasData()) {
				return new String(content.getData(), StandardCharsets.UTF_8);
			}
		}
		return null;
	}
}
