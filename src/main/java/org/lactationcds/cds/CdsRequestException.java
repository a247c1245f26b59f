package org.lactationcds.cds;

/** A CDS Hooks call that cannot be answered as sent: the status to answer and a message naming the problem. */
public class CdsRequestException extends RuntimeException {

	private final int status;

	public CdsRequestException(int status, String message) {
		super(message);
		this.status = status;
	}

	public static CdsRequestException badRequest(String message) {
		return new CdsRequestException(400, message);
	}

	public int status() {
		return status;
	}
}
