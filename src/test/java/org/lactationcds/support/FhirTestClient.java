package org.lactationcds.support;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** HTTP access to a running server, as its clients would use it: HAPI's FHIR client, and raw HTTP for bad input. */
public final class FhirTestClient {

	private final String baseUrl;
	private final IGenericClient fhir;

	public FhirTestClient(FhirContext context, int port) {
		this.baseUrl = "http://127.0.0.1:" + port;
		this.fhir = TestHttp.fhirClient(context, baseUrl + "/fhir");
	}

	public IGenericClient fhir() {
		return fhir;
	}

	public String baseUrl() {
		return baseUrl;
	}

	public HttpResponse<String> get(String path) {
		return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
	}

	public HttpResponse<String> post(String path, String contentType, String body) {
		return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
				.header("Content-Type", contentType)
				.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	public URI uri(String path) {
		return URI.create(baseUrl + path);
	}

	public HttpResponse<String> send(HttpRequest.Builder request) {
		return TestHttp.send(request);
	}
}
