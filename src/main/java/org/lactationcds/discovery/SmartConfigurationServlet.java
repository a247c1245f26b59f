package org.lactationcds.discovery;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Serves the SMART configuration document, built once at start-up; open to anyone, as SMART requires. */
final class SmartConfigurationServlet extends HttpServlet {

	private final byte[] document;

	SmartConfigurationServlet(byte[] document) {
		this.document = document.clone();
	}

	@Override
	protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
		response.setContentType("application/json");
		response.setHeader("Cache-Control", "max-age=3600");
		response.setContentLength(document.length);
		response.getOutputStream().write(document);
	}
}
