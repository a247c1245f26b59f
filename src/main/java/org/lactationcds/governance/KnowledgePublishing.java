package org.lactationcds.governance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.lactationcds.audit.AuditTrail;
import org.lactationcds.caller.Caller;
import org.lactationcds.caller.Permissions;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.lactationcds.knowledge.KnowledgePackage;
import org.lactationcds.knowledge.KnowledgeStoreReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Governs writes of knowledge through FHIR REST. A create, update, patch or delete of a knowledge resource in the
 * project's canonical space (in a transaction or batch too) needs the publisher permission
 * ({@value Permissions#PUBLISH_KNOWLEDGE}) whenever FHIR REST is authenticated: 403 otherwise, nothing stored. A
 * permitted publish must leave a valid knowledge set ({@link CandidateCheck}): 422 naming what broke otherwise,
 * nothing stored. An accepted publish is recorded as a release ({@link KnowledgeReleases}) in its own database
 * transaction. Writes by the server itself (start-up load, roll-back) are not requests and are not governed here.
 */
@Interceptor
public class KnowledgePublishing {

	/** The resource types whose writes in the canonical space are publishes. */
	static final Set<String> GOVERNED_TYPES = Permissions.KNOWLEDGE_TYPES;

	private static final Logger log = LoggerFactory.getLogger(KnowledgePublishing.class);
	/** Set on a request once its whole publish was checked (a transaction's entries share their request's data). */
	private static final String CHECKED = KnowledgePublishing.class.getName() + ".checked";
	/** The knowledge set a checked publish will leave, until its release is recorded. */
	private static final String PENDING_RELEASE = KnowledgePublishing.class.getName() + ".release";
	private static final String RECORDED_RELEASE = KnowledgePublishing.class.getName() + ".recorded";

	private final KnowledgeLoader loader;
	private final KnowledgeStoreReader storeReader;
	private final CandidateCheck check;
	private final KnowledgeReleases releases;
	private final FhirContext fhirContext;
	private final boolean authenticated;
	private final AuditTrail audit;
	private final AtomicInteger placeholders = new AtomicInteger();

	KnowledgePublishing(
			KnowledgeLoader loader,
			KnowledgeStoreReader storeReader,
			CandidateCheck check,
			KnowledgeReleases releases,
			FhirContext fhirContext,
			boolean authenticated,
			AuditTrail audit) {
		this.audit = audit;
		this.loader = loader;
		this.storeReader = storeReader;
		this.check = check;
		this.releases = releases;
		this.fhirContext = fhirContext;
		this.authenticated = authenticated;
	}

	/** A transaction (or one batch entry): the whole set of its knowledge writes is checked at once. */
	@Hook(Pointcut.STORAGE_TRANSACTION_PROCESSING)
	public void transaction(IBaseBundle bundle, RequestDetails request) {
		if (!governs(request) || !(bundle instanceof Bundle transaction)) {
			return;
		}
		List<KnowledgeChange> changes = new ArrayList<>();
		for (Bundle.BundleEntryComponent entry : transaction.getEntry()) {
			Bundle.HTTPVerb verb = entry.getRequest().getMethod();
			String url = entry.getRequest().getUrl() == null ? "" : entry.getRequest().getUrl();
			String[] parts = url.split("\\?")[0].split("/");
			if ((verb == Bundle.HTTPVerb.PATCH || (verb == Bundle.HTTPVerb.DELETE && parts.length != 2))
					&& parts.length > 0 && GOVERNED_TYPES.contains(parts[0])) {
				// The candidate must be known before anything is stored: say exactly which resource changes, and how.
				throw new UnprocessableEntityException(fhirContext, outcome(List.of(verb + " " + url
						+ ": in a transaction, knowledge is published with PUT or POST of the whole resource, or DELETE of Type/id")));
			}
			if (verb == Bundle.HTTPVerb.DELETE && parts.length == 2 && GOVERNED_TYPES.contains(parts[0])) {
				storedIfGoverned(parts[0], parts[1]).ifPresent(stored -> changes.add(new KnowledgeChange(parts[0], parts[1], null)));
			} else if (entry.getResource() != null && (verb == Bundle.HTTPVerb.POST || verb == Bundle.HTTPVerb.PUT)) {
				Resource resource = entry.getResource();
				String id = verb == Bundle.HTTPVerb.PUT && parts.length == 2 ? parts[1] : null;
				boolean governed = isGoverned(resource)
						|| (id != null && storedIfGoverned(resource.fhirType(), id).isPresent());
				if (governed) {
					changes.add(change(resource, id));
				}
			}
		}
		if (!changes.isEmpty()) {
			authorize();
			checkAndHold(changes, request);
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void creating(IBaseResource resource, RequestDetails request) {
		refuseReleaseWrites(resource, request);
		if (governs(request) && isGoverned(resource)) {
			authorize();
			if (!request.getUserData().containsKey(CHECKED)) {
				checkAndHold(List.of(change((Resource) resource, resource.getIdElement().getIdPart())), request);
			}
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void updating(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		refuseReleaseWrites(previous, request);
		refuseReleaseWrites(resource, request);
		if (governs(request) && (isGoverned(resource) || isGoverned(previous))) {
			authorize();
			if (!request.getUserData().containsKey(CHECKED)) {
				checkAndHold(List.of(change((Resource) resource, previous.getIdElement().getIdPart())), request);
			}
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED)
	public void deleting(IBaseResource resource, RequestDetails request) {
		refuseReleaseWrites(resource, request);
		if (governs(request) && isGoverned(resource)) {
			authorize();
			if (!request.getUserData().containsKey(CHECKED)) {
				checkAndHold(List.of(new KnowledgeChange(
						resource.fhirType(), resource.getIdElement().getIdPart(), null)), request);
			}
		}
	}

	/** Records the release in the database transaction that stores the publish: both or neither. */
	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		recordRelease(request);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		recordRelease(request);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource, RequestDetails request) {
		recordRelease(request);
	}

	/** The last chance inside a transaction's database transaction (a roll-back is one). */
	@Hook(Pointcut.STORAGE_TRANSACTION_PROCESSED)
	public void transactionProcessed(RequestDetails request) {
		recordRelease(request);
	}

	/**
	 * Has the release of {@code knowledge} recorded inside the database transaction of the request about to run: the
	 * server's own roll-back, which writes as the system. Its id is {@link #recordedRelease} afterwards.
	 */
	static void holdRelease(RequestDetails request, KnowledgePackage knowledge, String action) {
		request.getUserData().put(PENDING_RELEASE, new PendingRelease(knowledge, action));
	}

	static String recordedRelease(RequestDetails request) {
		return (String) request.getUserData().get(RECORDED_RELEASE);
	}

	private record PendingRelease(KnowledgePackage knowledge, String action) {}

	private void recordRelease(RequestDetails request) {
		if (request == null) {
			return;
		}
		Object pending = request.getUserData().remove(PENDING_RELEASE);
		if (pending instanceof PendingRelease release) {
			Caller caller = Caller.current();
			String id = releases.record(release.knowledge(), caller, release.action());
			audit.knowledgeRelease(caller, release.action(), id, releases.fingerprint(release.knowledge()));
			request.getUserData().put(RECORDED_RELEASE, id);
			log.info("Knowledge release {} ({}) by {}", id, release.action(), caller.name());
		}
	}

	private void checkAndHold(List<KnowledgeChange> changes, RequestDetails request) {
		KnowledgePackage published = storeReader.read();
		KnowledgePackage candidate = KnowledgeChange.apply(published, changes);
		List<String> problems;
		// One publish checked at a time: two checked side by side could each pass and together break the set.
		synchronized (this) {
			problems = check.problems(published, candidate);
		}
		if (!problems.isEmpty()) {
			log.warn("Knowledge publish refused ({} problems): {}", problems.size(), String.join("; ", problems));
			throw new UnprocessableEntityException(fhirContext, outcome(problems));
		}
		request.getUserData().put(CHECKED, Boolean.TRUE);
		holdRelease(request, candidate, "publish");
	}

	static OperationOutcome outcome(List<String> problems) {
		OperationOutcome outcome = new OperationOutcome();
		for (String problem : problems) {
			outcome.addIssue()
					.setSeverity(OperationOutcome.IssueSeverity.ERROR)
					.setCode(OperationOutcome.IssueType.INVALID)
					.setDiagnostics(problem);
		}
		return outcome;
	}

	void authorize() {
		if (authenticated && !Caller.current().has(Permissions.PUBLISH_KNOWLEDGE)) {
			throw new ForbiddenOperationException("Writing knowledge in " + KnowledgeStoreReader.CANONICAL_BASE
					+ " is publishing: it needs the scope " + Permissions.PUBLISH_KNOWLEDGE + ", which clinical scopes never grant");
		}
	}

	/** Releases are written by the server alone: no request may write, change or delete one. */
	private static void refuseReleaseWrites(IBaseResource resource, RequestDetails request) {
		if (request != null && !(request instanceof SystemRequestDetails) && KnowledgeReleases.isRelease(resource)) {
			throw new ForbiddenOperationException("Knowledge releases are recorded by the server; publish the knowledge instead");
		}
	}

	private static boolean governs(RequestDetails request) {
		return request != null && !(request instanceof SystemRequestDetails);
	}

	static boolean isGoverned(IBaseResource resource) {
		return resource != null && GOVERNED_TYPES.contains(resource.fhirType()) && KnowledgeStoreReader.published(resource);
	}

	private java.util.Optional<IBaseResource> storedIfGoverned(String type, String id) {
		return storeReader.readOne(type, id).filter(KnowledgePublishing::isGoverned);
	}

	private KnowledgeChange change(Resource resource, String id) {
		String assigned = id != null && !id.isBlank() && !id.startsWith("urn:")
				? id
				: "unassigned-" + placeholders.incrementAndGet();
		return new KnowledgeChange(resource.fhirType(), assigned, resource);
	}
}
