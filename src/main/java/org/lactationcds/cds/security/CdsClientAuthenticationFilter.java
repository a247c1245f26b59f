package org.lactationcds.cds.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every /cds-services call (discovery, service, feedback) must carry {@code Authorization: Bearer <JWT>} of a trusted
 * CDS client, its audience the public URL called. Anything else gets 401 with a short JSON error; the reason is
 * logged (issuer and jti at most), the token never is. CORS preflights carry no credentials and pass.
 */
public final class CdsClientAuthenticationFilter extends OncePerRequestFilter {

	/** Request attribute holding the verified {@link TrustedClient}. */
	public static final String CLIENT = "org.lactationcds.cds.security.TrustedClient";
	private static final Logger log = LoggerFactory.getLogger(CdsClientAuthenticationFilter.class);

	private final ClientJwtVerifier verifier;
	private final String publicBaseUrl;

	public CdsClientAuthenticationFilter(ClientJwtVerifier verifier, String publicBaseUrl) {
		this.verifier = verifier;
		this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if ("OPTIONS".equals(request.getMethod())) {
			chain.doFilter(request, response);
			return;
		}
		String audience = publicBaseUrl + request.getRequestURI().substring(request.getContextPath().length());
		try {
			String token = bearer(request).orElseThrow(() -> new UntrustedCallException("token", "no bearer token"));
			request.setAttribute(CLIENT, verifier.verify(token, audience));
		} catch (UntrustedCallException e) {
			log.warn("CDS call refused ({} {}), check {} failed: {}", LogSafe.text(request.getMethod()),
					LogSafe.text(request.getRequestURI()), e.check(), e.getMessage());
			response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
			response.setHeader("WWW-Authenticate", "Bearer");
			response.setContentType("application/json");
			response.getOutputStream().write(
					"{\"error\":\"Unauthorized\",\"message\":\"a valid CDS client JWT is required\"}".getBytes(StandardCharsets.UTF_8));
			return;
		}
		chain.doFilter(request, response);
	}

	private static Optional<String> bearer(HttpServletRequest request) {
		String header = request.getHeader("Authorization");
		if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return Optional.empty();
		}
		String token = header.substring(7).trim();
		return token.isEmpty() ? Optional.empty() : Optional.of(token);
	}
}
