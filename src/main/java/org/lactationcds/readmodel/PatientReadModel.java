package org.lactationcds.readmodel;

import ca.uhn.fhir.context.FhirContext;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.lactationcds.dyad.FhirDataSource;
import org.lactationcds.dyad.LocalStoreReads;

/**
 * The store's reads for CDS calls, answered from parsed resources kept in memory when the patient's data version
 * is the one they were read at. A call reads each patient's version once (one indexed row), before any of that
 * patient's data: data read after the version is at least as new as it, so an entry is never older than its
 * version says. Queries that do not belong to one patient (see {@link PatientQuery}) go to the store.
 *
 * <p>Callers get copies: the engine and the card mapper may set fields on what they are given, and the kept
 * resources are shared by concurrent calls.
 */
public final class PatientReadModel implements LocalStoreReads {

	static final String READS = "lactation.cds.read-model.reads";

	private final FhirDataSource store;
	private final PatientDataVersions versions;
	private final FhirContext fhirContext;
	private final Cache<Key, Kept> kept;
	private final Counter hits;
	private final Counter misses;
	private final Counter bypassed;

	private record Key(String patientId, String query) {}

	private record Kept(long version, List<Resource> resources) {}

	public PatientReadModel(
			FhirDataSource store, PatientDataVersions versions, FhirContext fhirContext, long maxResources, MeterRegistry meters) {
		this.store = store;
		this.versions = versions;
		this.fhirContext = fhirContext;
		this.kept = Caffeine.newBuilder()
				.maximumWeight(maxResources)
				.weigher((Key key, Kept value) -> value.resources().size() + 1)
				.build();
		this.hits = meters.counter(READS, "result", "hit");
		this.misses = meters.counter(READS, "result", "miss");
		this.bypassed = meters.counter(READS, "result", "not-one-patient");
	}

	@Override
	public FhirDataSource forCall() {
		return new CallReads();
	}

	private final class CallReads implements FhirDataSource {

		/** The version read for each patient during this call: one read per patient and call. */
		private final Map<String, Long> versionRead = new HashMap<>();

		@Override
		public List<Resource> fetch(String query) {
			Optional<String> owner = PatientQuery.ownerOf(query, fhirContext);
			if (owner.isEmpty()) {
				bypassed.increment();
				return store.fetch(query);
			}
			long version = versionRead.computeIfAbsent(owner.get(), versions::current);
			Key key = new Key(owner.get(), query);
			Kept found = kept.getIfPresent(key);
			if (found != null && found.version() == version) {
				hits.increment();
				return copies(found.resources());
			}
			misses.increment();
			List<Resource> read = List.copyOf(store.fetch(query));
			kept.put(key, new Kept(version, read));
			return copies(read);
		}

		@Override
		public Optional<List<Resource>> remainingPages(Bundle firstPage) {
			return store.remainingPages(firstPage);
		}

		@Override
		public String describe() {
			return store.describe();
		}
	}

	private static List<Resource> copies(List<Resource> resources) {
		return resources.stream().map(Resource::copy).toList();
	}
}
