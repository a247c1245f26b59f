package org.lactationcds.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.dao.index.SearchParamWithInlineReferencesExtractor;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;

/**
 * HAPI's search-parameter indexing, minus one of the two extractions a transaction makes of each new resource that
 * points at another entry of the bundle.
 *
 * <p>HAPI 8.8.0 stores the new resources of a transaction in two passes: it creates each one with its placeholder
 * references ({@code urn:uuid:...}) still in place, then swaps the placeholders for the new ids and stores each
 * resource again, writing its index rows. Both passes extract every search-parameter value (a clinic visit's
 * Observations have about thirty parameters each). The first pass's values are never written: they only set the
 * resource row's "has tokens, dates, links..." flags, and the second pass sets those again from its own values
 * whenever the resource changed in it, which a resource with a placeholder reference always does. So the first
 * extraction is skipped for exactly those resources; a resource without placeholders (not changed by the second
 * pass) keeps both, and writes outside transactions are untouched.
 */
class DeferredTransactionIndexing extends SearchParamWithInlineReferencesExtractor {

	/** Holds nothing but the context, so one serves every request. */
	private final FhirTerser terser;

	DeferredTransactionIndexing(FhirContext fhirContext) {
		this.terser = fhirContext.newTerser();
	}

	@Override
	public void populateFromResource(
			RequestPartitionId partition,
			ResourceIndexedSearchParams params,
			TransactionDetails transaction,
			ResourceTable entity,
			IBaseResource resource,
			ResourceIndexedSearchParams existingParams,
			RequestDetails request,
			boolean performIndexing) {
		boolean firstPassOfTransaction = !performIndexing && transaction != null && transaction.isFhirTransaction();
		if (firstPassOfTransaction && hasPlaceholderReference(resource)) {
			return;
		}
		super.populateFromResource(
				partition, params, transaction, entity, resource, existingParams, request, performIndexing);
	}

	/** A reference HAPI's second pass replaces: it fails the transaction for any {@code urn:} it cannot resolve. */
	private boolean hasPlaceholderReference(IBaseResource resource) {
		return terser.getAllResourceReferences(resource).stream()
				.map(reference -> reference.getResourceReference().getReferenceElement())
				.map(IIdType::getValue)
				.anyMatch(value -> value != null && value.startsWith("urn:"));
	}
}
