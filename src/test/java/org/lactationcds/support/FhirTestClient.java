package org.lactationcds.support;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** HTTP access to a running server, as its clients would use it: HAPI's FHIR client, and raw HTTP for bad input. */
public final class FhirTestClient {

	private final String baseUrl;
	private final IGenericClient fhir;
	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	public FhirTestClient(FhirContext context, int port) {
		this.baseUrl = "http://127.0.0.1:" + port;
		context.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		this.fhir = context.newRestfulGenericClient(baseUrl + "/fhir");
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
		try {
			return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
		} catch (java.io.IOException e) {
			throw new IllegalStateException("request to " + baseUrl + " failed", e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}
}
