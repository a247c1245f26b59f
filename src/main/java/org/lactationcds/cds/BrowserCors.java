package org.lactationcds.cds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.filter.CorsFilter;

/**
 * CORS filters for browser clients, one per entry point. The paths are chosen by the filter's servlet URL patterns,
 * not by a {@code UrlBasedCorsConfigurationSource}: that source matches the path within the servlet that serves the
 * request, which under HAPI's {@code /fhir/*} servlet is {@code /Patient}, so a {@code /fhir/**} pattern never
 * matched and every preflight on /fhir was refused ("Invalid CORS request", 403). Runs first (before Spring Security
 * and the CDS client check), so a preflight, which carries no credentials, is answered before any are asked for.
 */
final class BrowserCors {

	/** Every method the FHIR and CDS endpoints answer. */
	static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
	/** What FHIR clients (conditional requests, Prefer) and CDS clients (bearer JWT) send. */
	static final List<String> REQUEST_HEADERS = List.of("Authorization", "Content-Type", "Accept", "Prefer", "If-Match",
			"If-None-Match", "If-None-Exist", "If-Modified-Since", "X-Request-ID");
	/** What a browser client needs to read back: where a created resource is, its version, why a 401. */
	static final List<String> EXPOSED_HEADERS = List.of("Location", "Content-Location", "ETag", "Last-Modified",
			"WWW-Authenticate", "X-Request-ID");

	private BrowserCors() {}

	static FilterRegistrationBean<CorsFilter> registration(
			List<String> allowedOrigins, String rejectionType, String rejectionBody, String... urlPatterns) {
		CorsConfiguration cors = new CorsConfiguration();
		cors.setAllowedOrigins(allowedOrigins);
		cors.setAllowedMethods(METHODS);
		cors.setAllowedHeaders(REQUEST_HEADERS);
		cors.setExposedHeaders(EXPOSED_HEADERS);
		cors.setMaxAge(3600L);
		// A public page (the hosted sandbox) calling a server on a private network or this machine: Chromium asks first
		// (Private Network Access); allowed for the configured origins only.
		cors.setAllowPrivateNetwork(true);
		// No origin configured: no configuration, so cross-origin requests get no CORS headers (CORS off).
		CorsFilter filter = new CorsFilter(request -> allowedOrigins.isEmpty() ? null : cors);
		filter.setCorsProcessor(new Rejecting(MediaType.parseMediaType(rejectionType), rejectionBody));
		FilterRegistrationBean<CorsFilter> registration = new FilterRegistrationBean<>(filter);
		registration.addUrlPatterns(urlPatterns);
		registration.setName("cors " + String.join(",", urlPatterns));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

	/** Spring's CORS checks; a refusal says why in the entry point's own error format instead of plain text. */
	private static final class Rejecting extends DefaultCorsProcessor {

		private final MediaType type;
		private final byte[] body;

		Rejecting(MediaType type, String body) {
			this.type = type;
			this.body = body.getBytes(StandardCharsets.UTF_8);
		}

		@Override
		protected void rejectRequest(ServerHttpResponse response) throws IOException {
			response.setStatusCode(HttpStatus.FORBIDDEN);
			response.getHeaders().setContentType(type);
			response.getBody().write(body);
			response.flush();
		}
	}
}
