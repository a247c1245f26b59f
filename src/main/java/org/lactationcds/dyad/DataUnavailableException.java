package org.lactationcds.dyad;

/** Data the rules need could be neither taken from prefetch nor fetched: CDS Hooks answers 412. */
public class DataUnavailableException extends RuntimeException {

	public DataUnavailableException(String message) {
		super(message);
	}

	public DataUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}
}
