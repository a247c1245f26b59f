package org.lactationcds.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the inside of the server out of error bodies: a failure that is not the caller's (a 5xx, or anything HAPI did
 * not turn into an HTTP status) is answered with an OperationOutcome that says only that the server failed and gives a
 * reference to the log line, where the exception is. HAPI would otherwise put messages such as
 * {@code java.lang.OutOfMemoryError: Java heap space} or an exception's class name in the body.
 */
@Interceptor
class ErrorBodyInterceptor {

	private static final Logger log = LoggerFactory.getLogger(ErrorBodyInterceptor.class);
	/** A fully qualified Java class name or a JVM error, in a 4xx message that HAPI built from an exception. */
	private static final Pattern INTERNALS = Pattern.compile(
			"\\b(?:java|javax|jakarta|org|com|ca|net)\\.[a-z0-9_]+\\.[A-Za-z0-9_.$]+|OutOfMemoryError|heap space|StackOverflowError");

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException hideInternals(Throwable exception) {
		if (exception instanceof BaseServerResponseException known && (known.getStatusCode() < 500 || known.getStatusCode() == 503)
				&& (known.getMessage() == null || !INTERNALS.matcher(known.getMessage()).find())) {
			// The caller's mistake in the caller's terms, or "busy, retry" (503 only ever comes from this server's
			// own budgets, with Retry-After): HAPI's body stands.
			return null;
		}
		String reference = UUID.randomUUID().toString();
		if (exception instanceof BaseServerResponseException known && known.getStatusCode() < 500) {
			log.info("FHIR request refused ({}), reference {}: {}", known.getStatusCode(), reference, known.getMessage());
			BaseServerResponseException plain = BaseServerResponseException.newInstance(known.getStatusCode(),
					"The request could not be processed as sent (reference " + reference + ")");
			return plain;
		}
		log.error("FHIR request failed, reference {}", reference, exception);
		return new InternalErrorException("The server could not complete the request; its log has the details under "
				+ "reference " + reference);
	}
}
