package org.lactationcds.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/**
 * Refuses request bodies nested deeper than any FHIR resource needs, before any parser or validator recurses into
 * them: a few thousand levels of nesting overflowed the validator's stack (a 500 found by the fuzz test).
 */
@Interceptor
class NestingLimitInterceptor {

	/** A transaction Bundle of deep resources stays well under 30 levels. */
	static final int MAX_DEPTH = 100;

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean limitNesting(RequestDetails request) {
		byte[] body = request.loadRequestContents();
		if (body != null && depth(body) > MAX_DEPTH) {
			throw new InvalidRequestException("The request body is nested more than " + MAX_DEPTH + " levels deep");
		}
		return true;
	}

	/** Deepest nesting of {@code { [ <} outside JSON strings (XML elements counted by their start tags). */
	static int depth(byte[] body) {
		int depth = 0;
		int deepest = 0;
		boolean inString = false;
		for (int i = 0; i < body.length; i++) {
			byte b = body[i];
			if (inString) {
				if (b == '\\') {
					i++;
				} else if (b == '"') {
					inString = false;
				}
				continue;
			}
			switch (b) {
				case '"' -> inString = true;
				case '{', '[' -> deepest = Math.max(deepest, ++depth);
				case '}', ']' -> depth--;
				case '<' -> {
					if (i + 1 < body.length && body[i + 1] == '/') {
						depth--;
					} else if (i + 1 < body.length && body[i + 1] != '?' && body[i + 1] != '!') {
						deepest = Math.max(deepest, ++depth);
					}
				}
				case '/' -> {
					if (i + 1 < body.length && body[i + 1] == '>') {
						depth--;
					}
				}
				default -> { }
			}
		}
		return deepest;
	}
}
