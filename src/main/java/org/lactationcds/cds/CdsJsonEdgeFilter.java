package org.lactationcds.cds;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * CDS Hooks speaks JSON only, so every answer under /cds-services is {@code application/json} whatever the client's
 * Accept header says (an EHR sending {@code Accept: application/fhir+json} gets its cards, not a 406), and every
 * error is {@code {"error", "message"}}: also the ones Spring MVC answers before any CDS controller is chosen (an
 * unknown path such as {@code /cds-services/} with its trailing slash, a method the path does not take), which would
 * otherwise be Spring Boot's own error page, and an exception that escapes everything (500, nothing of the inside).
 */
final class CdsJsonEdgeFilter extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(CdsJsonEdgeFilter.class);

	private final ObjectMapper json;

	CdsJsonEdgeFilter(ObjectMapper json) {
		this.json = json;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		try {
			chain.doFilter(new JsonAccepted(request), new JsonErrors(request, response));
		} catch (IOException | ServletException | RuntimeException e) {
			if (response.isCommitted()) {
				throw e;
			}
			log.error("CDS Hooks request {} {} failed", request.getMethod(), request.getRequestURI(), e);
			response.resetBuffer();
			write(response, 500, "the service failed; the server log has the details");
		}
	}

	private void write(HttpServletResponse response, int status, String message) throws IOException {
		Map<String, Object> body = new LinkedHashMap<>();
		HttpStatus known = HttpStatus.resolve(status);
		body.put("error", known == null ? "Error " + status : known.getReasonPhrase());
		body.put("message", message);
		response.setStatus(status);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setCharacterEncoding("UTF-8");
		response.getOutputStream().write(json.writeValueAsBytes(body));
		response.flushBuffer();
	}

	/** What a client that called {@code method path} and got {@code status} should be told. */
	static String message(int status, String method, String path, String allow) {
		return switch (status) {
			case 404 -> "no CDS Hooks endpoint at " + path + ": discovery is GET /cds-services, a service POST "
					+ "/cds-services/{id}, feedback POST /cds-services/{id}/feedback";
			case 405 -> method + " is not supported on " + path + (allow == null ? "" : " (allowed: " + allow + ")");
			case 406 -> "the CDS Hooks service answers application/json";
			case 415 -> "send application/json";
			case 400 -> "the request could not be read";
			default -> {
				HttpStatus known = HttpStatus.resolve(status);
				yield known == null ? "the request failed" : known.getReasonPhrase();
			}
		};
	}

	/** Turns a container error ({@code sendError}, which would render Spring Boot's error page) into the JSON error. */
	private final class JsonErrors extends HttpServletResponseWrapper {

		private final HttpServletRequest request;

		JsonErrors(HttpServletRequest request, HttpServletResponse response) {
			super(response);
			this.request = request;
		}

		@Override
		public void sendError(int status) throws IOException {
			sendError(status, null);
		}

		@Override
		public void sendError(int status, String ignored) throws IOException {
			if (isCommitted()) {
				super.sendError(status);
				return;
			}
			resetBuffer();
			write((HttpServletResponse) getResponse(), status,
					message(status, request.getMethod(), request.getRequestURI(), getHeader(HttpHeaders.ALLOW)));
		}
	}

	/** The request as if it had asked for JSON, the only thing this edge answers. */
	private static final class JsonAccepted extends HttpServletRequestWrapper {

		JsonAccepted(HttpServletRequest request) {
			super(request);
		}

		@Override
		public String getHeader(String name) {
			return HttpHeaders.ACCEPT.equalsIgnoreCase(name) ? MediaType.APPLICATION_JSON_VALUE : super.getHeader(name);
		}

		@Override
		public Enumeration<String> getHeaders(String name) {
			return HttpHeaders.ACCEPT.equalsIgnoreCase(name)
					? Collections.enumeration(java.util.List.of(MediaType.APPLICATION_JSON_VALUE))
					: super.getHeaders(name);
		}
	}
}
