package org.lactationcds.dyad;

/**
 * The store's reads for one CDS call. A call takes its own view so that an implementation may remember what it
 * checked during the call (a patient's data version) and nothing longer.
 */
@FunctionalInterface
public interface LocalStoreReads {

	FhirDataSource forCall();
}
