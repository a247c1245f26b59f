package org.lactationcds.cds.prefetch;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/**
 * Fetches from the EHR's FHIR server named in the request, with {@code fhirAuthorization.access_token} as bearer.
 * Bounded: a read timeout per call, a byte cap per response, a page cap per search, and paging links followed only
 * on the same server (a Bundle cannot send us elsewhere).
 */
public final class RemoteFhirDataSource implements FhirDataSource {

	private final HttpClient http;
	private final FhirContext fhirContext;
	private final URI base;
	private final String accessToken;
	private final PrefetchProperties limits;

	public RemoteFhirDataSource(
			HttpClient http, FhirContext fhirContext, URI base, String accessToken, PrefetchProperties limits) {
		this.http = http;
		this.fhirContext = fhirContext;
		String text = base.toString();
		this.base = URI.create(text.endsWith("/") ? text : text + "/");
		this.accessToken = accessToken;
		this.limits = limits;
	}

	@Override
	public List<Resource> fetch(String query) {
		Optional<Resource> answer = get(base.resolve(query), query);
		if (answer.isEmpty()) {
			return List.of();
		}
		if (answer.get() instanceof Bundle bundle && query.contains("?")) {
			List<Resource> resources = new ArrayList<>(entries(bundle));
			resources.addAll(followNext(bundle));
			return resources;
		}
		return List.of(answer.get());
	}

	@Override
	public Optional<List<Resource>> remainingPages(Bundle firstPage) {
		return Optional.of(followNext(firstPage));
	}

	private List<Resource> followNext(Bundle page) {
		List<Resource> resources = new ArrayList<>();
		Bundle current = page;
		for (int pages = 1; current.getLink(Bundle.LINK_NEXT) != null; pages++) {
			if (pages >= limits.maxPages()) {
				throw new DataUnavailableException("more than " + limits.maxPages() + " pages at " + describe());
			}
			URI next = URI.create(current.getLink(Bundle.LINK_NEXT).getUrl());
			if (!sameServer(next)) {
				throw new DataUnavailableException("a paging link leads away from " + describe() + ": not followed");
			}
			Optional<Resource> answer = get(next, "next page");
			if (answer.isEmpty() || !(answer.get() instanceof Bundle bundle)) {
				throw new DataUnavailableException("a paging link at " + describe() + " did not answer a Bundle");
			}
			resources.addAll(entries(bundle));
			current = bundle;
		}
		return resources;
	}

	private boolean sameServer(URI uri) {
		return Objects.equals(uri.getScheme(), base.getScheme())
				&& Objects.equals(uri.getHost(), base.getHost())
				&& uri.getPort() == base.getPort()
				&& uri.getPath() != null
				&& uri.getPath().startsWith(base.getPath());
	}

	/** One GET: the resource, or empty for 404/410 (a read of something that is not there). */
	private Optional<Resource> get(URI uri, String what) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri)
				.timeout(limits.readTimeout())
				.header("Accept", "application/fhir+json")
				.GET();
		if (accessToken != null) {
			request.header("Authorization", "Bearer " + accessToken);
		}
		HttpResponse<InputStream> response;
		try {
			response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
		} catch (IOException e) {
			throw new DataUnavailableException(describe() + " did not answer " + what + ": " + e.getClass().getSimpleName());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new DataUnavailableException("interrupted while fetching " + what);
		}
		try (InputStream body = response.body()) {
			if (response.statusCode() == 404 || response.statusCode() == 410) {
				return Optional.empty();
			}
			if (response.statusCode() != 200) {
				throw new DataUnavailableException(describe() + " answered " + response.statusCode() + " to " + what);
			}
			byte[] bytes = body.readNBytes(limits.maxResponseBytes() + 1);
			if (bytes.length > limits.maxResponseBytes()) {
				throw new DataUnavailableException(describe() + " answered more than " + limits.maxResponseBytes() + " bytes to " + what);
			}
			Resource resource = (Resource) fhirContext.newJsonParser().parseResource(new String(bytes, StandardCharsets.UTF_8));
			if (resource instanceof OperationOutcome) {
				throw new DataUnavailableException(describe() + " answered an OperationOutcome to " + what);
			}
			return Optional.of(resource);
		} catch (IOException e) {
			throw new DataUnavailableException(describe() + " broke off the answer to " + what);
		} catch (DataFormatException | ClassCastException e) {
			throw new DataUnavailableException(describe() + " answered something that is not FHIR JSON to " + what);
		}
	}

	static List<Resource> entries(Bundle bundle) {
		return bundle.getEntry().stream()
				.filter(Bundle.BundleEntryComponent::hasResource)
				.filter(entry -> entry.getSearch().getMode() != Bundle.SearchEntryMode.OUTCOME)
				.map(Bundle.BundleEntryComponent::getResource)
				.toList();
	}

	@Override
	public String describe() {
		return "FHIR server " + base;
	}

	/** The client all remote sources share: connect timeout set, redirects not followed. */
	public static HttpClient httpClient(PrefetchProperties limits) {
		return HttpClient.newBuilder()
				.connectTimeout(limits.connectTimeout())
				.followRedirects(HttpClient.Redirect.NEVER)
				.build();
	}
}
