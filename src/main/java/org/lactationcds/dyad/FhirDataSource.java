package org.lactationcds.dyad;

import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/** Where data missing from prefetch comes from: the EHR's FHIR server, or this server's own store. */
public interface FhirDataSource {

	/**
	 * The resources a relative FHIR query answers ({@code Type/id} read: the resource or nothing if it does not exist;
	 * search: every match, all pages).
	 *
	 * @throws DataUnavailableException when the source cannot answer
	 */
	List<Resource> fetch(String query);

	/**
	 * The pages after a paged search Bundle that a client sent as prefetch, if this source can follow its links;
	 * empty when it cannot (the key is then fetched whole).
	 */
	Optional<List<Resource>> remainingPages(Bundle firstPage);

	/** Short description for logs (never a token). */
	String describe();

	/** A source that answers nothing: every fetch is unavailable (412) for {@code reason}. */
	static FhirDataSource unavailable(String reason) {
		return new FhirDataSource() {
			@Override
			public List<Resource> fetch(String query) {
				throw new DataUnavailableException(reason);
			}

			@Override
			public Optional<List<Resource>> remainingPages(Bundle firstPage) {
				return Optional.empty();
			}

			@Override
			public String describe() {
				return "no source (" + reason + ")";
			}
		};
	}
}
