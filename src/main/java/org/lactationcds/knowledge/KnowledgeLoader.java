package org.lactationcds.knowledge;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cqframework.cql.cql2elm.model.CompiledLibrary;
import org.hl7.elm.r1.IncludeDef;
import org.hl7.elm.r1.VersionedIdentifier;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * Keeps the knowledge that evaluations run on equal to the knowledge in the FHIR store.
 *
 * <p>At start-up, before the server reports ready: reads the packaged knowledge, compiles every CQL library (a
 * library that does not compile stops start-up with its errors), and upserts it into the store in one
 * transaction. HAPI creates no new version for an unchanged resource, so a second start changes nothing; a resource
 * whose stored copy carries a newer version was published through FHIR REST and is left alone. Then, and whenever
 * the stored knowledge changes ({@link #refreshSoon()}), it builds a snapshot from the store, compiles it into fresh
 * engine caches, and swaps it in: the old snapshot keeps serving until the new one has compiled.
 */
public class KnowledgeLoader implements ApplicationRunner, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(KnowledgeLoader.class);

	private final KnowledgeProperties properties;
	private final KnowledgePackageReader reader;
	private final KnowledgeStoreReader storeReader;
	private final CqlLibraryCompiler compiler;
	private final IFhirSystemDao<Bundle, ?> systemDao;
	private final DaoRegistry daoRegistry;
	private final FhirContext fhirContext;
	private final AtomicReference<KnowledgeSnapshot> current = new AtomicReference<>();
	private final ExecutorService refresher = Executors.newSingleThreadExecutor(runnable -> {
		Thread thread = new Thread(runnable, "knowledge-refresh");
		thread.setDaemon(true);
		return thread;
	});
	private final AtomicBoolean refreshQueued = new AtomicBoolean();

	public KnowledgeLoader(
			KnowledgeProperties properties,
			KnowledgePackageReader reader,
			KnowledgeStoreReader storeReader,
			CqlLibraryCompiler compiler,
			IFhirSystemDao<Bundle, ?> systemDao,
			DaoRegistry daoRegistry) {
		this.properties = properties;
		this.reader = reader;
		this.storeReader = storeReader;
		this.compiler = compiler;
		this.systemDao = systemDao;
		this.daoRegistry = daoRegistry;
		this.fhirContext = systemDao.getContext();
	}

	@Override
	public void run(ApplicationArguments args) {
		load();
	}

	/** Reads, compiles and stores the packaged knowledge, then runs on what the store holds. */
	public KnowledgeSnapshot load() {
		long start = System.nanoTime();
		KnowledgePackage packaged = reader.read(properties.location());
		EvaluationSettings compiled = EngineSettings.forRequestData();
		compiler.compile(packaged, compiled);
		systemDao.transaction(new SystemRequestDetails(), upsertTransaction(packaged));
		KnowledgeSnapshot snapshot;
		try {
			snapshot = refresh(packaged, compiled);
		} catch (RuntimeException e) {
			// The store was put in a bad state (by hand, or by a version of this server without the publish check):
			// never stop start-up for it. Serve the packaged knowledge, which has just compiled, and say so loudly.
			log.error("""

					*****************************************************************************************
					The published knowledge in the database cannot be used; serving the PACKAGED knowledge
					from {} instead. Fix it by publishing a valid version or with $knowledge-rollback
					(README, Knowledge). Cause: {}
					*****************************************************************************************""",
					packaged.location(), e.getMessage());
			snapshot = KnowledgeSnapshot.of(fhirContext, packaged, compiled);
			current.set(snapshot);
		}
		log.info("Knowledge loaded from {}: {} resources, {} CQL libraries compiled, in {} ms",
				packaged.location(), packaged.resources().size(), packaged.cqlLibraries().size(),
				(System.nanoTime() - start) / 1_000_000);
		return snapshot;
	}

	/** The knowledge evaluations run on; {@link KnowledgeNotLoadedException} while the server is starting. */
	public KnowledgeSnapshot current() {
		KnowledgeSnapshot snapshot = current.get();
		if (snapshot == null) {
			throw new KnowledgeNotLoadedException();
		}
		return snapshot;
	}

	/**
	 * Rebuilds the snapshot from the store in the background. Single-flight: while a rebuild runs, further
	 * requests collapse into one more rebuild after it.
	 */
	public void refreshSoon() {
		if (refreshQueued.compareAndSet(false, true)) {
			refresher.submit(() -> {
				refreshQueued.set(false);
				try {
					refresh(null, null);
				} catch (RuntimeException e) {
					log.error("Knowledge in the store does not compile; the previous knowledge keeps serving: {}", e.getMessage());
				}
			});
		}
	}

	/**
	 * Builds and swaps in a snapshot of the stored knowledge. Only new or changed CQL is compiled: the packaged
	 * compilation is reused when the store holds the same CQL, and otherwise the previous snapshot's compiled
	 * libraries whose source is unchanged are carried over, with its (expensive to build) model cache.
	 */
	private synchronized KnowledgeSnapshot refresh(KnowledgePackage packaged, EvaluationSettings packagedCompiled) {
		KnowledgePackage stored = storeReader.read();
		KnowledgeSnapshot running = current.get();
		if (packaged == null && running != null && versions(running.knowledge()).equals(versions(stored))) {
			// The change was our own start-up upsert, or was already picked up: nothing new to compile or swap.
			return running;
		}
		EvaluationSettings compiled;
		if (packaged != null && packaged.cqlByLibrary().equals(stored.cqlByLibrary())) {
			compiled = packagedCompiled;
		} else {
			compiled = carriedOver(current.get(), stored);
			compiler.compile(stored, compiled);
		}
		KnowledgeSnapshot snapshot = KnowledgeSnapshot.of(fhirContext, stored, compiled);
		KnowledgeSnapshot previous = current.getAndSet(snapshot);
		if (previous != null) {
			log.info("Knowledge refreshed from the store: {} resources, {} CQL libraries",
					stored.resources().size(), stored.cqlLibraries().size());
		}
		return snapshot;
	}

	/**
	 * Compiles a candidate knowledge set (the running set with a change applied) into fresh caches, reusing what the
	 * running snapshot compiled from unchanged sources; throws {@link KnowledgeException} with every compiler error.
	 * Nothing is swapped in: the caller decides whether the candidate may be published.
	 */
	public KnowledgeSnapshot compileCandidate(KnowledgePackage candidate) {
		EvaluationSettings compiled = carriedOver(current.get(), candidate);
		compiler.compile(candidate, compiled);
		return KnowledgeSnapshot.of(fhirContext, candidate, compiled);
	}

	/** The packaged knowledge, as read from its location (for a roll-back to it). */
	public KnowledgePackage packaged() {
		return reader.read(properties.location());
	}

	/** Every resource as Type/id/_history/version: equal sets mean the same stored knowledge. */
	private static java.util.Set<String> versions(KnowledgePackage knowledge) {
		java.util.Set<String> versions = new java.util.HashSet<>();
		knowledge.resources().forEach(resource -> versions.add(resource.getIdElement().getValue()));
		return versions;
	}

	/** Fresh caches holding what the previous snapshot compiled from the same sources. */
	static EvaluationSettings carriedOver(KnowledgeSnapshot previous, KnowledgePackage next) {
		EvaluationSettings settings = EngineSettings.forRequestData();
		if (previous == null) {
			return settings;
		}
		EvaluationSettings before = previous.settings().getEvaluationSettings();
		settings.getModelCache().putAll(before.getModelCache());
		Map<String, String> unchanged = new HashMap<>(next.cqlByLibrary());
		unchanged.entrySet().removeIf(entry -> !entry.getValue().equals(previous.knowledge().cqlByLibrary().get(entry.getKey())));
		Map<VersionedIdentifier, CompiledLibrary> kept = new HashMap<>();
		before.getLibraryCache().forEach((id, library) -> {
			// FHIRHelpers and other libraries from the engine's own sources never change.
			boolean ours = next.cqlByLibrary().keySet().stream().anyMatch(key -> key.startsWith(id.getId() + "|"));
			if (!ours || unchanged.containsKey(KnowledgePackage.key(id.getId(), id.getVersion()))) {
				kept.put(id, library);
			}
		});
		// A library whose own source is unchanged must still be compiled again when something it includes changed
		// (or went away): its compiled form was checked against the old include.
		boolean dropped = true;
		while (dropped) {
			dropped = kept.entrySet().removeIf(entry -> !includesKept(entry.getValue(), kept));
		}
		settings.getLibraryCache().putAll(kept);
		return settings;
	}

	private static boolean includesKept(CompiledLibrary library, Map<VersionedIdentifier, CompiledLibrary> kept) {
		if (library.getLibrary() == null || library.getLibrary().getIncludes() == null) {
			return true;
		}
		for (IncludeDef include : library.getLibrary().getIncludes().getDef()) {
			String name = include.getPath();
			boolean found = kept.keySet().stream().anyMatch(id -> id.getId().equals(name)
					&& (include.getVersion() == null || include.getVersion().equals(id.getVersion())));
			if (!found) {
				return false;
			}
		}
		return true;
	}

	private Bundle upsertTransaction(KnowledgePackage knowledge) {
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource resource : knowledge.resources()) {
			String reference = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
			if (newerVersionStored(resource)) {
				log.info("{} keeps the newer version published through FHIR REST; the packaged version {} is not stored",
						reference, ((MetadataResource) resource).getVersion());
				continue;
			}
			transaction.addEntry()
					.setFullUrl(reference)
					.setResource(resource)
					.getRequest()
					.setMethod(HTTPVerb.PUT)
					.setUrl(reference);
		}
		return transaction;
	}

	private boolean newerVersionStored(Resource resource) {
		if (!(resource instanceof MetadataResource artifact)) {
			return false;
		}
		try {
			MetadataResource stored = (MetadataResource) daoRegistry.getResourceDao(resource.fhirType())
					.read(resource.getIdElement().toUnqualifiedVersionless(), new SystemRequestDetails());
			return compareVersions(stored.getVersion(), artifact.getVersion()) > 0;
		} catch (ResourceNotFoundException | ResourceGoneException notStored) {
			return false;
		}
	}

	/** Compares dotted versions part by part, numerically where both parts are numbers (1.10.0 > 1.9.0). */
	static int compareVersions(String left, String right) {
		if (Objects.equals(left, right)) {
			return 0;
		}
		if (left == null || right == null) {
			return left == null ? -1 : 1;
		}
		String[] a = left.split("\\.");
		String[] b = right.split("\\.");
		for (int i = 0; i < Math.max(a.length, b.length); i++) {
			String x = i < a.length ? a[i] : "0";
			String y = i < b.length ? b[i] : "0";
			int order = x.matches("\\d+") && y.matches("\\d+")
					? new java.math.BigInteger(x).compareTo(new java.math.BigInteger(y))
					: x.compareTo(y);
			if (order != 0) {
				return order;
			}
		}
		return 0;
	}

	@Override
	public void destroy() {
		refresher.shutdownNow();
	}
}
