package org.lactationcds.dyad;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * Reads data from this server's own store, running the query itself: a read by id, or the search the query
 * describes, all matches at once (paging and sort only shape what a remote client sends). Reads are the server's own
 * (the CDS path: its clients are checked at the door), or a FHIR caller's ({@link #asCaller}), so that the server's
 * authorization applies to what a FHIR operation reads for them.
 */
public final class LocalFhirDataSource implements FhirDataSource {

	private final FhirContext fhirContext;
	private final DaoRegistry daoRegistry;
	private final MatchUrlService matchUrlService;
	private final Supplier<RequestDetails> reader;

	public LocalFhirDataSource(FhirContext fhirContext, DaoRegistry daoRegistry, MatchUrlService matchUrlService) {
		this(fhirContext, daoRegistry, matchUrlService, SystemRequestDetails::new);
	}

	private LocalFhirDataSource(
			FhirContext fhirContext, DaoRegistry daoRegistry, MatchUrlService matchUrlService, Supplier<RequestDetails> reader) {
		this.fhirContext = fhirContext;
		this.daoRegistry = daoRegistry;
		this.matchUrlService = matchUrlService;
		this.reader = reader;
	}

	/** The same reads made as {@code caller}: a refused read is unavailable data, like any other. */
	public LocalFhirDataSource asCaller(RequestDetails caller) {
		return new LocalFhirDataSource(fhirContext, daoRegistry, matchUrlService, () -> caller);
	}

	@Override
	public List<Resource> fetch(String query) {
		int question = query.indexOf('?');
		String type = question < 0 ? query.substring(0, query.indexOf('/') < 0 ? query.length() : query.indexOf('/'))
				: query.substring(0, question);
		try {
			IFhirResourceDao<?> dao = daoRegistry.getResourceDao(type);
			if (question < 0) {
				return read(dao, new IdType(query), reader.get());
			}
			SearchParameterMap search = matchUrlService.translateMatchUrl(
					type + "?" + withoutPagingAndSort(query.substring(question + 1)), fhirContext.getResourceDefinition(type));
			search.setLoadSynchronous(true);
			return dao.search(search, reader.get()).getAllResources().stream()
					.map(Resource.class::cast)
					.toList();
		} catch (BaseServerResponseException | IllegalArgumentException e) {
			throw new DataUnavailableException("the local store could not answer " + query + ": " + e.getMessage(), e);
		}
	}

	private static List<Resource> read(IFhirResourceDao<?> dao, IdType id, RequestDetails reader) {
		try {
			return List.of((Resource) dao.read(id, reader));
		} catch (ResourceNotFoundException | ResourceGoneException e) {
			return List.of();
		}
	}

	private static String withoutPagingAndSort(String parameters) {
		return Arrays.stream(parameters.split("&"))
				.filter(parameter -> !parameter.startsWith("_count=") && !parameter.startsWith("_sort="))
				.collect(Collectors.joining("&"));
	}

	@Override
	public Optional<List<Resource>> remainingPages(Bundle firstPage) {
		return Optional.empty();
	}

	@Override
	public String describe() {
		return "the local store";
	}
}
