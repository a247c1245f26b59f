package org.lactationcds.governance;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.lactationcds.caller.Caller;
import org.lactationcds.caller.Permissions;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.lactationcds.knowledge.KnowledgePackage;
import org.lactationcds.knowledge.KnowledgeSnapshot;
import org.lactationcds.knowledge.KnowledgeStoreReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' view of the knowledge: {@code GET /fhir/$knowledge-status} (what runs on this instance, the release
 * it came from, the recent releases) and {@code POST /fhir/$knowledge-rollback} (to a release, or to the packaged
 * knowledge). Both need the publisher permission when FHIR REST is authenticated (the status also the auditor's).
 */
public class KnowledgeOperations {

	private static final Logger log = LoggerFactory.getLogger(KnowledgeOperations.class);
	private static final int RECENT_RELEASES = 20;

	private final KnowledgeLoader loader;
	private final KnowledgeReleases releases;
	private final DaoRegistry daoRegistry;
	private final IFhirSystemDao<Bundle, ?> systemDao;
	private final boolean authenticated;
	private volatile String packagedFingerprint;

	KnowledgeOperations(
			KnowledgeLoader loader,
			KnowledgeReleases releases,
			DaoRegistry daoRegistry,
			IFhirSystemDao<Bundle, ?> systemDao,
			boolean authenticated) {
		this.loader = loader;
		this.releases = releases;
		this.daoRegistry = daoRegistry;
		this.systemDao = systemDao;
		this.authenticated = authenticated;
	}

	@Operation(name = Permissions.STATUS_OPERATION, idempotent = true)
	public Parameters status() {
		Caller caller = Caller.current();
		if (authenticated && !caller.has(Permissions.PUBLISH_KNOWLEDGE) && !caller.has(Permissions.READ_AUDIT)) {
			throw new ForbiddenOperationException("$knowledge-status needs the scope " + Permissions.PUBLISH_KNOWLEDGE
					+ " or " + Permissions.READ_AUDIT);
		}
		KnowledgeSnapshot running = loader.current();
		String fingerprint = releases.fingerprint(running.knowledge());
		Parameters status = new Parameters();
		status.addParameter("fingerprint", fingerprint);
		status.addParameter("resources", new IntegerType(running.knowledge().resources().size()));
		running.knowledge().resourcesOfType(Library.class).forEach(library ->
				status.addParameter("library", library.getUrl() + "|" + library.getVersion()));
		running.knowledge().resourcesOfType(PlanDefinition.class).forEach(plan ->
				status.addParameter("planDefinition", plan.getUrl() + "|" + plan.getVersion()));
		Bundle source = releases.withFingerprint(fingerprint).orElse(null);
		if (source != null) {
			status.addParameter("source", "release");
			status.addParameter().setName("release").setPart(describe(source).getParameter());
		} else {
			status.addParameter("source", fingerprint.equals(packagedFingerprint()) ? "packaged" : "unrecorded");
		}
		for (Bundle release : releases.list(RECENT_RELEASES)) {
			status.addParameter().setName("history").setPart(describe(release).getParameter());
		}
		return status;
	}

	/**
	 * Makes the published knowledge equal to a release, or to the packaged knowledge: one database transaction that
	 * rewrites the knowledge resources (and deletes those the target does not have), and records it as a release.
	 * Every instance picks the change up as it picks up a publish.
	 */
	@Operation(name = Permissions.ROLLBACK_OPERATION)
	public Parameters rollback(
			@OperationParam(name = "release", max = 1) StringType release,
			@OperationParam(name = "packaged", max = 1) BooleanType packaged) {
		Caller caller = Caller.current();
		if (authenticated && !caller.has(Permissions.PUBLISH_KNOWLEDGE)) {
			throw new ForbiddenOperationException("$knowledge-rollback needs the scope " + Permissions.PUBLISH_KNOWLEDGE);
		}
		boolean toPackaged = packaged != null && packaged.booleanValue();
		if (toPackaged == (release != null && release.hasValue())) {
			throw new InvalidRequestException("Give exactly one of: release (a release id from $knowledge-status), packaged=true");
		}
		KnowledgePackage target;
		String what;
		if (toPackaged) {
			target = loader.packaged();
			what = "the packaged knowledge";
		} else {
			Bundle bundle = releases.read(release.getValue())
					.orElseThrow(() -> new ResourceNotFoundException("No knowledge release " + release.getValue()));
			List<Resource> resources = new ArrayList<>();
			bundle.getEntry().forEach(entry -> resources.add(entry.getResource()));
			target = new KnowledgePackage("release " + release.getValue(), resources, cqlOf(resources));
			what = "release " + release.getValue();
		}
		// One database transaction: the knowledge rewritten, and its release and audit event recorded (by
		// KnowledgePublishing, inside it).
		SystemRequestDetails request = new SystemRequestDetails();
		KnowledgePublishing.holdRelease(request, target, "rollback");
		systemDao.transaction(request, rewriteTo(target));
		String recorded = KnowledgePublishing.recordedRelease(request);
		log.warn("Knowledge rolled back to {} by {}: release {}", what, caller.name(), recorded);
		loader.refreshSoon();
		Parameters result = new Parameters();
		result.addParameter("release", recorded);
		result.addParameter("fingerprint", releases.fingerprint(target));
		result.addParameter("restored", what);
		return result;
	}

	private Bundle rewriteTo(KnowledgePackage target) {
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		Set<String> kept = new HashSet<>();
		target.resources().forEach(resource -> kept.add(resource.fhirType() + "/" + resource.getIdElement().getIdPart()));
		for (String type : KnowledgeStoreReader.KNOWLEDGE_TYPES) {
			daoRegistry.getResourceDao(type)
					.search(SearchParameterMap.newSynchronous(), new SystemRequestDetails())
					.getAllResources()
					.stream()
					.filter(KnowledgeStoreReader::published)
					.map(resource -> type + "/" + resource.getIdElement().getIdPart())
					.filter(reference -> !kept.contains(reference))
					.forEach(reference -> transaction.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl(reference));
		}
		for (Resource resource : target.resources()) {
			Resource copy = resource.copy();
			copy.setMeta(null);
			String reference = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
			copy.setId(reference);
			transaction.addEntry().setFullUrl(reference).setResource(copy)
					.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(reference);
		}
		return transaction;
	}

	private static java.util.Map<String, String> cqlOf(List<Resource> resources) {
		java.util.Map<String, String> cql = new java.util.HashMap<>();
		for (Resource resource : resources) {
			if (resource instanceof Library library && KnowledgePackage.cqlContent(library) != null) {
				cql.put(KnowledgePackage.key(library.getName(), library.getVersion()), KnowledgePackage.cqlContent(library));
			}
		}
		return cql;
	}

	private String packagedFingerprint() {
		String fingerprint = packagedFingerprint;
		if (fingerprint == null) {
			fingerprint = releases.fingerprint(loader.packaged());
			packagedFingerprint = fingerprint;
		}
		return fingerprint;
	}

	private static Parameters describe(Bundle release) {
		Parameters parts = new Parameters();
		parts.addParameter("id", release.getIdElement().getIdPart());
		parts.addParameter("action", KnowledgeReleases.action(release));
		parts.addParameter("fingerprint", release.getIdentifier().getValue());
		parts.addParameter("publishedBy", KnowledgeReleases.publishedBy(release));
		parts.addParameter().setName("publishedAt").setValue(new DateTimeType(release.getTimestamp()));
		return parts;
	}
}
