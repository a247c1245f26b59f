package org.lactationcds.support;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.IRestfulClientFactory;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Every HTTP call a test makes goes through here, so none can wait forever. The limits are sized for a loaded 2-core
 * machine (CI shares it with builds): a request may take a minute and a half before the test gives up and says so.
 */
public final class TestHttp {

	public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
	public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(90);

	private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

	private TestHttp() {}

	/** Sends the request with {@link #REQUEST_TIMEOUT}; a timeout fails with the method and URL it waited for. */
	public static HttpResponse<String> send(HttpRequest.Builder request) {
		HttpRequest built = request.timeout(REQUEST_TIMEOUT).build();
		try {
			return CLIENT.send(built, HttpResponse.BodyHandlers.ofString());
		} catch (HttpTimeoutException e) {
			throw new IllegalStateException("no answer within " + REQUEST_TIMEOUT + " to " + built.method() + " " + built.uri(), e);
		} catch (IOException e) {
			throw new IllegalStateException(built.method() + " " + built.uri() + " failed: " + e, e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while waiting for " + built.method() + " " + built.uri(), e);
		}
	}

	/** HAPI's FHIR client with the same limits (its own default socket timeout of 10 s is too short under load). */
	public static IGenericClient fhirClient(FhirContext context, String fhirBase) {
		IRestfulClientFactory factory = context.getRestfulClientFactory();
		factory.setServerValidationMode(ServerValidationModeEnum.NEVER);
		factory.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
		factory.setSocketTimeout((int) REQUEST_TIMEOUT.toMillis());
		return context.newRestfulGenericClient(fhirBase);
	}
}
