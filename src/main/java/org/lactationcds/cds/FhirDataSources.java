package org.lactationcds.cds;

import ca.uhn.fhir.context.FhirContext;
import java.net.http.HttpClient;
import org.lactationcds.dyad.FhirDataSource;
import org.lactationcds.dyad.LocalStoreReads;
import org.lactationcds.cds.prefetch.PrefetchProperties;
import org.lactationcds.cds.prefetch.RemoteFhirDataSource;

/** Chooses where missing data comes from: the fhirServer the request names, else this server's own store. */
public final class FhirDataSources {

	private final FhirContext fhirContext;
	private final LocalStoreReads local;
	private final HttpClient http;
	private final PrefetchProperties limits;

	/** With the store's reads made through {@code local}, one view per call (the read model's, when it runs). */
	public FhirDataSources(FhirContext fhirContext, LocalStoreReads local, PrefetchProperties limits) {
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
				.orElseGet(() -> localStoreAllowed ? local.forCall() : FhirDataSource.unavailable(
						"data missing from prefetch, no fhirServer given, and this CDS client is not registered to read this "
								+ "server's store"));
	}
}
