package org.lactationcds.cds.prefetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lactationcds.dyad.DataUnavailableException;

/** Fetching from an EHR's FHIR server: bearer token, paging, and the bounds that keep a bad server harmless. */
class RemoteFhirDataSourceTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static final PrefetchProperties LIMITS = new PrefetchProperties(Duration.ofSeconds(1), Duration.ofMillis(800), 20_000, 3);

	HttpServer server;
	final Map<String, String> answers = new ConcurrentHashMap<>();
	final List<String> requests = new CopyOnWriteArrayList<>();
	final List<String> authorizations = new CopyOnWriteArrayList<>();
	String base;

	@BeforeEach
	void start() throws IOException {
		server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.createContext("/", exchange -> {
			String target = exchange.getRequestURI().toString();
			requests.add(target);
			authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
			String answer = answers.get(target);
			if ("TRICKLE".equals(answer)) {
				trickle(exchange);
				return;
			}
			if (answer != null && answer.startsWith("DELAY ")) {
				pause(600);
				answer = answer.substring("DELAY ".length());
			}
			if ("SLOW".equals(answer)) {
				sleep();
				answer = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\"}";
			}
			byte[] body = (answer == null ? "{\"resourceType\":\"OperationOutcome\"}" : answer).getBytes(StandardCharsets.UTF_8);
			// Unknown reads are 404 (not there); any other unknown request is a server error.
			int status = answer != null ? 200 : target.startsWith("/fhir/Patient/") ? 404 : 500;
			exchange.sendResponseHeaders(status, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
		server.start();
		base = "http://127.0.0.1:" + server.getAddress().getPort() + "/fhir";
	}

	@AfterEach
	void stop() {
		server.stop(0);
	}

	RemoteFhirDataSource source() {
		return source(LIMITS);
	}

	RemoteFhirDataSource source(PrefetchProperties limits) {
		return new RemoteFhirDataSource(RemoteFhirDataSource.httpClient(limits), FHIR, URI.create(base), "token-123", limits);
	}

	/** Headers at once, then one byte of a valid Bundle every 200 ms: the attack the read timeout alone let through. */
	private static void trickle(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
		byte[] body = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\"}".repeat(1).getBytes(StandardCharsets.UTF_8);
		exchange.sendResponseHeaders(200, 0);
		try (var out = exchange.getResponseBody()) {
			for (int i = 0; i < body.length; i++) {
				out.write(body[i]);
				out.flush();
				pause(200);
			}
		} catch (IOException e) {
			// the client hung up: what the test wants
		}
	}

	@Test
	void readSendsTheAccessTokenAsBearer() {
		answers.put("/fhir/Patient/p1", json(new Patient().setId("p1")));

		List<Resource> found = source().fetch("Patient/p1");

		assertThat(found).hasSize(1);
		assertThat(authorizations).containsOnly("Bearer token-123");
	}

	@Test
	void readOfAMissingResourceGivesNothing() {
		assertThat(source().fetch("Patient/none")).isEmpty();
	}

	@Test
	void searchFollowsNextLinksOnTheSameServer() {
		answers.put("/fhir/Observation?patient=p1", json(page("o1", base + "/Observation?page=2")));
		answers.put("/fhir/Observation?page=2", json(page("o2", null)));

		List<Resource> found = source().fetch("Observation?patient=p1");

		assertThat(found).extracting(resource -> resource.getIdElement().getIdPart()).containsExactly("o1", "o2");
	}

	@Test
	void nextLinkToAnotherServerIsNotFollowed() {
		answers.put("/fhir/Observation?patient=p1", json(page("o1", "http://169.254.169.254/latest/meta-data")));

		assertThatThrownBy(() -> source().fetch("Observation?patient=p1"))
				.isInstanceOf(DataUnavailableException.class)
				.hasMessageContaining("leads away");
	}

	@Test
	void endlessPagingStopsAtThePageLimit() {
		answers.put("/fhir/Observation?patient=p1", json(page("o1", base + "/Observation?patient=p1")));

		assertThatThrownBy(() -> source().fetch("Observation?patient=p1")).hasMessageContaining("pages");
	}

	@Test
	void responseOverTheSizeCapIsRefused() {
		Bundle big = page("o1", null);
		((Observation) big.getEntryFirstRep().getResource()).getCode().setText("x".repeat(30_000));
		answers.put("/fhir/Observation?patient=p1", json(big));

		assertThatThrownBy(() -> source().fetch("Observation?patient=p1")).hasMessageContaining("bytes");
	}

	@Test
	void slowServerIsCutOffAtTheReadTimeout() {
		answers.put("/fhir/Observation?patient=p1", "SLOW");
		long start = System.nanoTime();

		assertThatThrownBy(() -> source().fetch("Observation?patient=p1")).isInstanceOf(DataUnavailableException.class);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
	}

	@Test
	void serverErrorIsUnavailableDataAndTheMessageHoldsNoToken() {
		assertThatThrownBy(() -> source().fetch("Observation?patient=p1"))
				.isInstanceOf(DataUnavailableException.class)
				.satisfies(e -> assertThat(e.getMessage()).doesNotContain("token-123"));
	}

	@Test
	void trickledBodyIsCutOffAtTheDeadlineNotWhenTheServerFinishes() {
		answers.put("/fhir/Observation?patient=p1", "TRICKLE");
		long start = System.nanoTime();

		assertThatThrownBy(() -> source().fetch("Observation?patient=p1"))
				.isInstanceOf(DataUnavailableException.class)
				.hasMessageContaining("did not answer");
		// the trickle takes 9 s to finish; the read timeout is 0.8 s (generous bound for a loaded machine)
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
	}

	@Test
	void oneDeadlineCoversEveryPageOfTheCall() {
		PrefetchProperties limits = new PrefetchProperties(
				Duration.ofSeconds(1), Duration.ofSeconds(5), 20_000, 10, Duration.ofMillis(1500), 1_000_000, 1000);
		answers.put("/fhir/Observation?patient=p1", "DELAY " + json(page("o1", base + "/Observation?page=2")));
		answers.put("/fhir/Observation?page=2", "DELAY " + json(page("o2", base + "/Observation?page=3")));
		answers.put("/fhir/Observation?page=3", "DELAY " + json(page("o3", base + "/Observation?page=4")));
		answers.put("/fhir/Observation?page=4", "DELAY " + json(page("o4", null)));

		assertThatThrownBy(() -> source(limits).fetch("Observation?patient=p1"))
				.isInstanceOf(DataUnavailableException.class)
				.hasMessageContaining("ms");
	}

	@Test
	void bytesAreBudgetedAcrossPagesNotOnlyPerResponse() {
		String page1 = json(page("o1", base + "/Observation?page=2"));
		String page2 = json(page("o2", base + "/Observation?page=3"));
		String page3 = json(page("o3", null));
		PrefetchProperties limits = new PrefetchProperties(Duration.ofSeconds(1), Duration.ofSeconds(5), 20_000, 10,
				Duration.ofSeconds(30), page1.length() + page2.length() + 10, 1000);
		answers.put("/fhir/Observation?patient=p1", page1);
		answers.put("/fhir/Observation?page=2", page2);
		answers.put("/fhir/Observation?page=3", page3);

		assertThatThrownBy(() -> source(limits).fetch("Observation?patient=p1"))
				.isInstanceOf(DataUnavailableException.class)
				.hasMessageContaining("max-call-bytes");
	}

	@Test
	void resourcesAreBudgetedAcrossPages() {
		PrefetchProperties limits = new PrefetchProperties(
				Duration.ofSeconds(1), Duration.ofSeconds(5), 20_000, 10, Duration.ofSeconds(30), 1_000_000, 2);
		answers.put("/fhir/Observation?patient=p1", json(page("o1", base + "/Observation?page=2")));
		answers.put("/fhir/Observation?page=2", json(page("o2", base + "/Observation?page=3")));
		answers.put("/fhir/Observation?page=3", json(page("o3", null)));

		assertThatThrownBy(() -> source(limits).fetch("Observation?patient=p1"))
				.isInstanceOf(DataUnavailableException.class)
				.hasMessageContaining("max-resources");
	}

	@Test
	void pagingLinkThatClimbsOutOfTheBasePathIsNotFollowed() {
		answers.put("/fhir/Observation?patient=p1", json(page("o1", base + "/../admin/Observation?page=2")));
		answers.put("/admin/Observation?page=2", json(page("o2", null)));

		assertThatThrownBy(() -> source().fetch("Observation?patient=p1"))
				.isInstanceOf(DataUnavailableException.class)
				.hasMessageContaining("leads away");
		assertThat(requests).noneMatch(request -> request.startsWith("/admin"));
	}

	@Test
	void pagingLinkWithEncodedDotsIsNotFollowed() {
		answers.put("/fhir/Observation?patient=p1", json(page("o1", base + "/%2e%2e/admin/Observation?page=2")));

		assertThatThrownBy(() -> source().fetch("Observation?patient=p1")).hasMessageContaining("leads away");
		assertThat(requests).hasSize(1);
	}

	static Bundle page(String observationId, String next) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		bundle.addEntry().setResource(new Observation().setStatus(Observation.ObservationStatus.FINAL).setId(observationId));
		if (next != null) {
			bundle.addLink().setRelation(Bundle.LINK_NEXT).setUrl(next);
		}
		return bundle;
	}

	static String json(Resource resource) {
		return FHIR.newJsonParser().encodeResourceToString(resource);
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private static void sleep() {
		try {
			Thread.sleep(2_500);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
