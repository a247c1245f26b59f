package org.lactationcds.cds.security;

/**
 * A CDS Hooks call whose credentials are missing or not trusted; the check that failed and the reason are for the
 * log, never the caller. The reason is made log-safe here, since it quotes what the caller sent (iss, kid, jku).
 */
public class UntrustedCallException extends RuntimeException {

	private final String check;

	public UntrustedCallException(String check, String reason) {
		super(LogSafe.text(reason));
		this.check = check;
	}

	/** The name of the check that failed (token, algorithm, kid, typ, iss, jku, signature, claims, iat, lifetime, replay). */
	public String check() {
		return check;
	}
}
