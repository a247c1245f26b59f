package org.lactationcds.cds.security;

/** A CDS Hooks call whose credentials are missing or not trusted; the message is for the log, never the caller. */
public class UntrustedCallException extends RuntimeException {

	public UntrustedCallException(String reason) {
		super(reason);
	}

	public UntrustedCallException(String reason, Throwable cause) {
		super(reason, cause);
	}
}
