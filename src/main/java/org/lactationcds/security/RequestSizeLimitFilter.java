package org.lactationcds.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies: a declared Content-Length over the cap gets 413 at once; a body without one (chunked) is cut
 * off when it passes the cap, and the request then fails as unreadable (400). No caller can make the server buffer
 * an unbounded body.
 */
public final class RequestSizeLimitFilter extends OncePerRequestFilter {

	private final long maxBytes;

	public RequestSizeLimitFilter(long maxBytes) {
		this.maxBytes = maxBytes;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (request.getContentLengthLong() > maxBytes) {
			response.setStatus(413);
			response.setContentType("application/json");
			response.getOutputStream().write(("{\"error\":\"Payload Too Large\",\"message\":\"the request body is over "
					+ maxBytes + " bytes\"}").getBytes(StandardCharsets.UTF_8));
			return;
		}
		chain.doFilter(new Limited(request, maxBytes), response);
	}

	private static final class Limited extends HttpServletRequestWrapper {

		private final long maxBytes;
		private ServletInputStream stream;

		Limited(HttpServletRequest request, long maxBytes) {
			super(request);
			this.maxBytes = maxBytes;
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (stream == null) {
				stream = new CountingStream(super.getInputStream(), maxBytes);
			}
			return stream;
		}
	}

	private static final class CountingStream extends ServletInputStream {

		private final ServletInputStream in;
		private final long maxBytes;
		private long read;

		CountingStream(ServletInputStream in, long maxBytes) {
			this.in = in;
			this.maxBytes = maxBytes;
		}

		@Override
		public int read() throws IOException {
			int b = in.read();
			if (b >= 0) {
				count(1);
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n = in.read(buffer, offset, length);
			if (n > 0) {
				count(n);
			}
			return n;
		}

		private void count(int n) throws IOException {
			read += n;
			if (read > maxBytes) {
				throw new IOException("request body over " + maxBytes + " bytes");
			}
		}

		@Override
		public boolean isFinished() {
			return in.isFinished();
		}

		@Override
		public boolean isReady() {
			return in.isReady();
		}

		@Override
		public void setReadListener(ReadListener listener) {
			in.setReadListener(listener);
		}
	}
}
