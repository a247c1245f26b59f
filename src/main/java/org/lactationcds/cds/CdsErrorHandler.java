package org.lactationcds.cds;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lactationcds.dyad.DataUnavailableException;
import org.lactationcds.knowledge.KnowledgeNotLoadedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * CDS Hooks errors as JSON: a 4xx names what is wrong with the request; 412 when data could not be obtained; an
 * unexpected failure is a 500 that says nothing about the inside (the log has it).
 */
// The package and its sub-packages: the services and their feedback endpoint, without naming the feedback controller
// (which would tie this package to its sub-package both ways).
@RestControllerAdvice(basePackages = "org.lactationcds.cds")
public class CdsErrorHandler {

	private static final Logger log = LoggerFactory.getLogger(CdsErrorHandler.class);

	@ExceptionHandler(CdsRequestException.class)
	public ResponseEntity<Map<String, Object>> badRequest(CdsRequestException e) {
		return error(HttpStatus.valueOf(e.status()), e.getMessage());
	}

	@ExceptionHandler(DataUnavailableException.class)
	public ResponseEntity<Map<String, Object>> dataUnavailable(DataUnavailableException e) {
		log.warn("412: {}", e.getMessage());
		return error(HttpStatus.PRECONDITION_FAILED, "required data could not be obtained: " + e.getMessage());
	}

	/** Called while the server starts (before readiness): the EHR may retry; nothing is wrong with its request. */
	@ExceptionHandler(KnowledgeNotLoadedException.class)
	public ResponseEntity<Map<String, Object>> starting(KnowledgeNotLoadedException e) {
		ResponseEntity<Map<String, Object>> answer = error(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
		return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders()).header("Retry-After", "10").body(answer.getBody());
	}

	@ExceptionHandler(HttpMediaTypeNotSupportedException.class)
	public ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
		return error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json");
	}

	@ExceptionHandler(HttpRequestMethodNotSupportedException.class)
	public ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException e) {
		return error(HttpStatus.METHOD_NOT_ALLOWED, e.getMethod() + " is not supported here");
	}

	@ExceptionHandler(Exception.class)
	public ResponseEntity<Map<String, Object>> unexpected(Exception e) {
		log.error("CDS Hooks call failed", e);
		return error(HttpStatus.INTERNAL_SERVER_ERROR, "the service failed; the server log has the details");
	}

	/** The CDS Hooks error body {@code {error, message}}, also used by the clinic app's card endpoint. */
	public static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("error", status.getReasonPhrase());
		body.put("message", message);
		return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
	}
}
