package org.lactationcds.cds;

import ca.uhn.fhir.context.FhirContext;
import java.net.http.HttpClient;
import org.lactationcds.cds.prefetch.FhirDataSource;
import org.lactationcds.cds.prefetch.LocalFhirDataSource;
import org.lactationcds.cds.prefetch.PrefetchProperties;
import org.lactationcds.cds.prefetch.RemoteFhirDataSource;

/** Chooses where missing data comes from: the fhirServer the request names, else this server's own store. */
public final class FhirDataSources {

	private final FhirContext fhirContext;
	private final LocalFhirDataSource local;
	private final HttpClient http;
	private final PrefetchProperties limits;

	public FhirDataSources(FhirContext fhirContext, LocalFhirDataSource local, PrefetchProperties limits) {
		this.fhirContext = fhirContext;
		this.local = local;
		this.limits = limits;
		this.http = RemoteFhirDataSource.httpClient(limits);
	}

	public FhirDataSource forRequest(CdsRequest request) {
		return forRequest(request, true);
	}

	/**
	 * As {@link #forRequest(CdsRequest)}, but when {@code localStoreAllowed} is false (a trusted client not registered
	 * to read this server's store) data missing from prefetch without a fhirServer is unavailable (412), never read
	 * from the local store.
	 */
	public FhirDataSource forRequest(CdsRequest request, boolean localStoreAllowed) {
		return request.fhirServer()
				.<FhirDataSource>map(server -> new RemoteFhirDataSource(
						http, fhirContext, server, request.accessToken().orElse(null), limits))
				.orElse(localStoreAllowed ? local : NO_LOCAL_STORE);
	}

	private static final FhirDataSource NO_LOCAL_STORE = new FhirDataSource() {
		@Override
		public java.util.List<org.hl7.fhir.r4.model.Resource> fetch(String query) {
			throw new org.lactationcds.cds.prefetch.DataUnavailableException("data missing from prefetch, no fhirServer given, "
					+ "and this CDS client is not registered to read this server's store");
		}

		@Override
		public java.util.Optional<java.util.List<org.hl7.fhir.r4.model.Resource>> remainingPages(
				org.hl7.fhir.r4.model.Bundle firstPage) {
			return java.util.Optional.empty();
		}

		@Override
		public String describe() {
			return "no source (local store not allowed for this client)";
		}
	};
}
