package org.lactationcds.governance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.SortOrderEnum;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Signature;
import org.lactationcds.caller.Caller;
import org.lactationcds.knowledge.KnowledgePackage;

/**
 * The published versions of the knowledge, kept in the FHIR store as {@code Bundle}s of type collection tagged
 * {@value #TAG_SYSTEM}|{@value #TAG_CODE}: the whole knowledge set as published, its fingerprint as
 * {@code identifier}, when ({@code timestamp}) and by whom ({@code signature.who}), and what was done (a publish, a
 * roll-back) as a second tag. Written by the server only, in the transaction of the publish itself.
 */
final class KnowledgeReleases {

	static final String TAG_SYSTEM = "http://lactation-cds.org/fhir/CodeSystem/knowledge-governance";
	static final String TAG_CODE = "knowledge-release";
	static final String FINGERPRINT_SYSTEM = "http://lactation-cds.org/fhir/knowledge-fingerprint";
	private static final Coding AUTHOR_SIGNATURE =
			new Coding("urn:iso-astm:E1762-95:2013", "1.2.840.10065.1.12.1.1", "Author's Signature");

	private final DaoRegistry daoRegistry;
	private final FhirContext fhirContext;

	KnowledgeReleases(DaoRegistry daoRegistry, FhirContext fhirContext) {
		this.daoRegistry = daoRegistry;
		this.fhirContext = fhirContext;
	}

	/** Stores a release of {@code knowledge} (joining the caller's database transaction, if any); returns its id. */
	String record(KnowledgePackage knowledge, Caller caller, String action) {
		Bundle release = new Bundle().setType(Bundle.BundleType.COLLECTION);
		release.getMeta().addTag(TAG_SYSTEM, TAG_CODE, "Knowledge release");
		release.getMeta().addTag(TAG_SYSTEM, action, null);
		release.getIdentifier().setSystem(FINGERPRINT_SYSTEM).setValue(fingerprint(knowledge));
		Date now = new Date();
		release.setTimestamp(now);
		release.setSignature(new Signature()
				.addType(AUTHOR_SIGNATURE)
				.setWhen(now)
				.setWho(new Reference().setDisplay(caller.name())));
		for (Resource resource : knowledge.resources()) {
			Resource copy = resource.copy();
			copy.setMeta(null);
			copy.setId(resource.getIdElement().getIdPart());
			release.addEntry().setResource(copy);
		}
		return dao().create(release, new SystemRequestDetails()).getId().getIdPart();
	}

	/** The newest releases first. */
	List<Bundle> list(int count) {
		SearchParameterMap search = SearchParameterMap.newSynchronous()
				.add("_tag", new TokenParam(TAG_SYSTEM, TAG_CODE))
				.setSort(new SortSpec("_lastUpdated", SortOrderEnum.DESC));
		search.setCount(count);
		return dao().search(search, new SystemRequestDetails()).getResources(0, count).stream()
				.map(Bundle.class::cast)
				.sorted(Comparator.comparing(Bundle::getTimestamp, Comparator.nullsLast(Comparator.reverseOrder())))
				.toList();
	}

	/** The newest release with this fingerprint: the release a running knowledge set came from. */
	Optional<Bundle> withFingerprint(String fingerprint) {
		SearchParameterMap search = SearchParameterMap.newSynchronous()
				.add("_tag", new TokenParam(TAG_SYSTEM, TAG_CODE))
				.add("identifier", new TokenParam(FINGERPRINT_SYSTEM, fingerprint))
				.setSort(new SortSpec("_lastUpdated", SortOrderEnum.DESC));
		List<IBaseResource> found = dao().search(search, new SystemRequestDetails()).getResources(0, 1);
		return found.stream().map(Bundle.class::cast).findFirst();
	}

	Optional<Bundle> read(String id) {
		try {
			Bundle bundle = (Bundle) dao().read(new org.hl7.fhir.r4.model.IdType("Bundle", id), new SystemRequestDetails());
			return isRelease(bundle) ? Optional.of(bundle) : Optional.empty();
		} catch (ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException
				| ca.uhn.fhir.rest.server.exceptions.ResourceGoneException e) {
			return Optional.empty();
		}
	}

	static boolean isRelease(IBaseResource resource) {
		return resource instanceof Bundle bundle && bundle.getMeta().getTag(TAG_SYSTEM, TAG_CODE) != null;
	}

	/** What was done: {@code publish}, {@code rollback}. */
	static String action(Bundle release) {
		return release.getMeta().getTag().stream()
				.filter(tag -> TAG_SYSTEM.equals(tag.getSystem()) && !TAG_CODE.equals(tag.getCode()))
				.map(Coding::getCode)
				.findFirst()
				.orElse("publish");
	}

	static String publishedBy(Bundle release) {
		return release.getSignature().getWho().getDisplay();
	}

	/**
	 * Identifies a knowledge set by content: the same resources (ids, meta and order aside) give the same
	 * fingerprint on every instance.
	 */
	String fingerprint(KnowledgePackage knowledge) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			knowledge.resources().stream()
					.map(this::content)
					.sorted()
					.forEach(content -> digest.update(content.getBytes(StandardCharsets.UTF_8)));
			return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	private String content(Resource resource) {
		Resource copy = resource.copy();
		copy.setMeta(null);
		copy.setId((String) null);
		return fhirContext.newJsonParser().encodeResourceToString(copy);
	}

	@SuppressWarnings("unchecked")
	private IFhirResourceDao<Bundle> dao() {
		return (IFhirResourceDao<Bundle>) daoRegistry.getResourceDao("Bundle");
	}
}
