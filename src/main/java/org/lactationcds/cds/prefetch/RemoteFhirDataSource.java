package org.lactationcds.cds.prefetch;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.lactationcds.dyad.DataUnavailableException;
import org.lactationcds.dyad.FhirDataSource;
import org.lactationcds.security.InputCheck;

/**
 * Fetches from the EHR's FHIR server named in the request, with {@code fhirAuthorization.access_token} as bearer.
 * Made for one CDS call and bounded as a whole: one deadline covers every byte fetched (a server that trickles its
 * body is cut off), bytes and resources have a total budget across all keys and pages, and paging links are followed
 * only on the same server under the same base path, after {@code ..} segments are resolved (a Bundle cannot send us,
 * with the bearer token, elsewhere).
 */
public final class RemoteFhirDataSource implements FhirDataSource {

	private final HttpClient http;
	private final FhirContext fhirContext;
	private final URI base;
	private final String accessToken;
	private final PrefetchProperties limits;
	/** One deadline for the whole call: every connect, header, body byte and page counts against it. */
	private final Instant deadline;
	private long bytes;
	private int resources;

	public RemoteFhirDataSource(
			HttpClient http, FhirContext fhirContext, URI base, String accessToken, PrefetchProperties limits) {
		this.http = http;
		this.fhirContext = fhirContext;
		String text = base.toString();
		this.base = URI.create(text.endsWith("/") ? text : text + "/");
		this.accessToken = accessToken;
		this.limits = limits;
		this.deadline = Instant.now().plus(limits.callTimeout());
	}

	@Override
	public List<Resource> fetch(String query) {
		Optional<Resource> answer = get(base.resolve(query), query);
		if (answer.isEmpty()) {
			return List.of();
		}
		if (answer.get() instanceof Bundle bundle && query.contains("?")) {
			List<Resource> resources = new ArrayList<>(counted(entries(bundle)));
			resources.addAll(followNext(bundle));
			return resources;
		}
		return counted(List.of(answer.get()));
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
			URI next;
			try {
				next = new URI(current.getLink(Bundle.LINK_NEXT).getUrl()).normalize();
			} catch (java.net.URISyntaxException e) {
				throw new DataUnavailableException("a paging link at " + describe() + " is not a URL");
			}
			if (!sameServer(next)) {
				throw new DataUnavailableException("a paging link leads away from " + describe() + ": not followed");
			}
			Optional<Resource> answer = get(next, "next page");
			if (answer.isEmpty() || !(answer.get() instanceof Bundle bundle)) {
				throw new DataUnavailableException("a paging link at " + describe() + " did not answer a Bundle");
			}
			resources.addAll(counted(entries(bundle)));
			current = bundle;
		}
		return resources;
	}

	/** On the base's server and under its path, after {@code .} and {@code ..} segments are resolved. */
	private boolean sameServer(URI uri) {
		String raw = uri.getRawPath() == null ? "" : uri.getRawPath().toLowerCase(java.util.Locale.ROOT);
		return !raw.contains("/../") && !raw.endsWith("/..") && !raw.contains("%2e") && !raw.contains("%2f")
				&& !raw.contains("%5c") && !raw.contains("\\")
				&& Objects.equals(uri.getScheme(), base.getScheme())
				&& Objects.equals(uri.getHost(), base.getHost())
				&& uri.getPort() == base.getPort()
				&& uri.getPath() != null
				&& uri.getPath().startsWith(base.getPath());
	}

	/** One GET: the resource, or empty for 404/410 (a read of something that is not there). */
	private Optional<Resource> get(URI target, String what) {
		URI uri = target.normalize();
		if (!sameServer(uri)) {
			throw new DataUnavailableException("a link leads away from " + describe() + ": not followed");
		}
		Duration remaining = Duration.between(Instant.now(), deadline);
		if (remaining.isNegative() || remaining.isZero()) {
			throw new DataUnavailableException(describe() + " did not answer within the call's budget of "
					+ limits.callTimeout().toMillis() + " ms (lactation-cds.prefetch.call-timeout)");
		}
		Duration timeout = remaining.compareTo(limits.readTimeout()) < 0 ? remaining : limits.readTimeout();
		HttpRequest.Builder request = HttpRequest.newBuilder(uri)
				.timeout(timeout)
				.header("Accept", "application/fhir+json")
				.GET();
		if (accessToken != null) {
			request.header("Authorization", "Bearer " + accessToken);
		}
		long allowed = Math.min(limits.maxResponseBytes(), limits.maxCallBytes() - bytes);
		CappedBody[] body = new CappedBody[1];
		CompletableFuture<HttpResponse<byte[]>> sent = http.sendAsync(request.build(), info -> {
			if (info.statusCode() != 200) {
				return HttpResponse.BodySubscribers.replacing(null);
			}
			body[0] = new CappedBody(allowed);
			return body[0];
		});
		HttpResponse<byte[]> response;
		try {
			// The request timeout stops at the response headers; this deadline covers the body too.
			response = sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		} catch (TimeoutException e) {
			sent.cancel(true);
			if (body[0] != null) {
				body[0].cancel();
			}
			throw new DataUnavailableException(describe() + " did not answer " + what + " within " + timeout.toMillis() + " ms");
		} catch (ExecutionException e) {
			if (e.getCause() instanceof CappedBody.TooLarge) {
				throw new DataUnavailableException(describe() + " answered more than " + allowed + " bytes to " + what
						+ " (lactation-cds.prefetch.max-response-bytes / max-call-bytes)");
			}
			throw new DataUnavailableException(describe() + " did not answer " + what + ": "
					+ (e.getCause() == null ? "failed" : e.getCause().getClass().getSimpleName()));
		} catch (InterruptedException e) {
			sent.cancel(true);
			Thread.currentThread().interrupt();
			throw new DataUnavailableException("interrupted while fetching " + what);
		}
		if (response.statusCode() == 404 || response.statusCode() == 410) {
			return Optional.empty();
		}
		if (response.statusCode() != 200) {
			throw new DataUnavailableException(describe() + " answered " + response.statusCode() + " to " + what);
		}
		byte[] bytes = response.body();
		this.bytes += bytes.length;
		InputCheck.body(bytes).ifPresent(problem -> {
			throw new DataUnavailableException(describe() + " answered unusable content to " + what + ": " + problem);
		});
		try {
			Resource resource = (Resource) fhirContext.newJsonParser().parseResource(new String(bytes, StandardCharsets.UTF_8));
			if (resource instanceof OperationOutcome) {
				throw new DataUnavailableException(describe() + " answered an OperationOutcome to " + what);
			}
			return Optional.of(resource);
		} catch (DataFormatException | ClassCastException e) {
			throw new DataUnavailableException(describe() + " answered something that is not FHIR JSON to " + what);
		}
	}

	private List<Resource> counted(List<Resource> found) {
		resources += found.size();
		if (resources > limits.maxResources()) {
			throw new DataUnavailableException(describe() + " answered more than " + limits.maxResources()
					+ " resources in one call (lactation-cds.prefetch.max-resources)");
		}
		return found;
	}

	/** A search Bundle's resources, without OperationOutcome entries (search mode outcome). */
	public static List<Resource> entries(Bundle bundle) {
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
