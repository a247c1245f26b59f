package org.lactationcds.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers only requests addressed to this server: a {@code Host} that is neither the configured public host nor a
 * loopback name gets 421. Without it a web page in the user's browser could reach the open loopback instance by DNS
 * rebinding (its own host name resolving to 127.0.0.1) and read the store. Loopback names stay allowed so that probes
 * and tools on the machine itself keep working; a server bound beyond loopback with no public URL configured has no
 * name to check against and lets every Host through.
 */
public final class HostCheckFilter extends OncePerRequestFilter {

	private final String publicHost;
	private final boolean anyHost;

	/**
	 * @param publicBaseUrl the configured public base URL, or null
	 * @param boundToLoopback whether the server listens on a loopback address only
	 */
	public HostCheckFilter(String publicBaseUrl, boolean boundToLoopback) {
		this.publicHost = publicBaseUrl == null || publicBaseUrl.isBlank()
				? null : URI.create(publicBaseUrl.trim()).getHost().toLowerCase(Locale.ROOT);
		this.anyHost = publicHost == null && !boundToLoopback;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (anyHost || allowed(request.getHeader("Host"))) {
			chain.doFilter(request, response);
			return;
		}
		response.setStatus(421);
		boolean fhir = request.getRequestURI().startsWith(request.getContextPath() + "/fhir");
		response.setContentType(fhir ? "application/fhir+json" : "application/json");
		String message = "this server does not answer for the host named in the request";
		response.getOutputStream().write((fhir
				? "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"security\","
						+ "\"diagnostics\":\"" + message + "\"}]}"
				: "{\"error\":\"Misdirected Request\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
	}

	boolean allowed(String hostHeader) {
		if (hostHeader == null || hostHeader.isBlank()) {
			return false;
		}
		String host = hostOf(hostHeader.trim().toLowerCase(Locale.ROOT));
		return host.equals(publicHost) || isLoopbackName(host);
	}

	/** The host part of a Host header: {@code [::1]:8080} -> {@code ::1}, {@code a.b:443} -> {@code a.b}. */
	static String hostOf(String header) {
		if (header.startsWith("[")) {
			int end = header.indexOf(']');
			return end < 0 ? header : header.substring(1, end);
		}
		int colon = header.indexOf(':');
		return colon < 0 ? header : header.substring(0, colon);
	}

	static boolean isLoopbackName(String host) {
		return host.equals("localhost") || host.equals("::1") || host.matches("127(\\.\\d{1,3}){3}");
	}
}
