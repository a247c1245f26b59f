import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Issue 14's hostile inputs, sent without pause by several attacker threads, while normal CDS traffic (patient-view on
 * the demo weight-loss mother, data from the store) runs beside them; prints the normal traffic's latency percentiles
 * and error count, and what each attack got. An answer counts as an error when it is not 200 or lacks the expected card.
 *
 *   java bench/HostileLoad.java --url http://127.0.0.1:18080 [--seconds 60] [--normal 4] [--attackers 4]
 */
public class HostileLoad {

	public static void main(String[] args) throws Exception {
		String url = option(args, "--url", "http://127.0.0.1:8080");
		int seconds = Integer.parseInt(option(args, "--seconds", "60"));
		int normalThreads = Integer.parseInt(option(args, "--normal", "4"));
		int attackers = Integer.parseInt(option(args, "--attackers", "4"));
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
		HttpServer trickler = trickler();
		String ehr = "http://127.0.0.1:" + trickler.getAddress().getPort() + "/fhir";
		int port = URI.create(url).getPort();

		Map<String, Supplier<Integer>> attacks = new java.util.LinkedHashMap<>();
		attacks.put("fhir body 1e999999999", () -> post(http, url + "/fhir/Observation", "application/fhir+json",
				"{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"w\"},\"valueQuantity\":{\"value\":1e999999999}}"));
		attacks.put("fhir body 100k digits", () -> post(http, url + "/fhir/Observation", "application/fhir+json",
				"{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"w\"},\"valueQuantity\":{\"value\":"
						+ "9".repeat(100_000) + "}}"));
		attacks.put("fhir lone surrogate", () -> post(http, url + "/fhir/Patient", "application/fhir+json",
				"{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"a\\ud800\"}]}"));
		// 50,000 components, about 600,000 elements in 10 MB: before the element budget the validator worked on this
		// for minutes and ran the heap out.
		String manyComponents = "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"w\"},\"component\":["
				+ String.join(",", Collections.nCopies(50_000, "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\","
						+ "\"code\":\"29463-7\"}]},\"valueQuantity\":{\"value\":3000,\"unit\":\"g\","
						+ "\"system\":\"http://unitsofmeasure.org\",\"code\":\"g\"}}")) + "]}";
		attacks.put("fhir 600k elements", () -> post(http, url + "/fhir/Observation", "application/fhir+json", manyComponents));
		attacks.put("search 1e999999999", () -> get(http, url + "/fhir/Observation?value-quantity=gt1e999999999"));
		attacks.put("search _sort x11", () -> get(http, url + "/fhir/Patient?" + String.join("&", Collections.nCopies(11, "_sort=name"))));
		attacks.put("search _include x11", () -> get(http, url + "/fhir/Observation?"
				+ String.join("&", Collections.nCopies(11, "_include=Observation:subject"))));
		attacks.put("transaction 1001 entries", () -> post(http, url + "/fhir", "application/fhir+json",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + String.join(",", Collections.nCopies(1001,
						"{\"resource\":{\"resourceType\":\"Patient\"},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}")) + "]}"));
		attacks.put("cds prefetch 1e999999999", () -> post(http, url + "/cds-services/lactation-patient-view", "application/json",
				call("demo-wl-mother", ",\"prefetch\":{\"patient\":{\"resourceType\":\"Patient\",\"id\":\"x\",\"multipleBirthInteger\":1e999999999}}")));
		attacks.put("cds trickling fhirServer", () -> post(http, url + "/cds-services/lactation-patient-view", "application/json",
				call("trickle-" + UUID.randomUUID(), ",\"fhirServer\":\"" + ehr + "\",\"fhirAuthorization\":{\"access_token\":\"x\","
						+ "\"token_type\":\"Bearer\",\"expires_in\":300,\"scope\":\"user/*.rs\",\"subject\":\"b\"}")));
		attacks.put("foreign Host", () -> rawStatus(port, "rebind.attacker.example"));

		long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
		List<Long> latencies = new CopyOnWriteArrayList<>();
		AtomicInteger errors = new AtomicInteger();
		Map<String, Map<Integer, AtomicInteger>> outcomes = new ConcurrentHashMap<>();
		Map<String, AtomicLong> slowest = new ConcurrentHashMap<>();
		var pool = Executors.newFixedThreadPool(normalThreads + attackers);
		List<java.util.concurrent.Future<?>> running = new ArrayList<>();
		for (int i = 0; i < normalThreads; i++) {
			running.add(pool.submit(() -> {
				while (System.nanoTime() < end) {
					long start = System.nanoTime();
					HttpResponse<String> response = send(http, HttpRequest.newBuilder(URI.create(url + "/cds-services/lactation-patient-view"))
							.header("Content-Type", "application/json")
							.POST(HttpRequest.BodyPublishers.ofString(call("demo-wl-mother", ""))));
					latencies.add(System.nanoTime() - start);
					if (response == null || response.statusCode() != 200 || !response.body().contains("RF-INFANT-WEIGHT-LOSS")) {
						errors.incrementAndGet();
					}
				}
			}));
		}
		List<String> names = new ArrayList<>(attacks.keySet());
		for (int i = 0; i < attackers; i++) {
			int first = i;
			running.add(pool.submit(() -> {
				for (int n = first; System.nanoTime() < end; n++) {
					String name = names.get(n % names.size());
					long start = System.nanoTime();
					int status = attacks.get(name).get();
					slowest.computeIfAbsent(name, k -> new AtomicLong()).accumulateAndGet(System.nanoTime() - start, Math::max);
					outcomes.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
				}
			}));
		}
		for (var future : running) {
			future.get(seconds + 180L, java.util.concurrent.TimeUnit.SECONDS);
		}
		pool.shutdown();
		trickler.stop(0);

		List<Long> sorted = new ArrayList<>(latencies);
		Collections.sort(sorted);
		System.out.printf("normal patient-view, %d attacker threads: %d calls in %d s, %d errors, p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
				attackers, sorted.size(), seconds, errors.get(), percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100));
		for (String name : names) {
			System.out.printf("  attack %-26s statuses %s, slowest answer %.0f ms%n", name, outcomes.getOrDefault(name, Map.of()),
					slowest.getOrDefault(name, new AtomicLong()).get() / 1e6);
		}
	}

	static String call(String patient, String extra) {
		return "{\"hookInstance\":\"" + UUID.randomUUID() + "\",\"hook\":\"patient-view\",\"context\":{\"userId\":\"Practitioner/b\","
				+ "\"patientId\":\"" + patient + "\"}" + extra + "}";
	}

	/** An EHR FHIR server that answers every request with headers at once and then one byte every 200 ms. */
	static HttpServer trickler() throws Exception {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.setExecutor(Executors.newCachedThreadPool());
		server.createContext("/", exchange -> {
			exchange.sendResponseHeaders(200, 0);
			try (OutputStream out = exchange.getResponseBody()) {
				for (int i = 0; i < 600; i++) {
					out.write(' ');
					out.flush();
					Thread.sleep(200);
				}
			} catch (Exception e) {
				// the server under test hung up: as it should
			}
		});
		server.start();
		return server;
	}

	static int get(HttpClient http, String url) {
		HttpResponse<String> response = send(http, HttpRequest.newBuilder(URI.create(url)).GET());
		return response == null ? -1 : response.statusCode();
	}

	static int post(HttpClient http, String url, String type, String body) {
		HttpResponse<String> response = send(http, HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type)
				.POST(HttpRequest.BodyPublishers.ofString(body)));
		return response == null ? -1 : response.statusCode();
	}

	static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) {
		try {
			return http.send(request.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
		} catch (Exception e) {
			return null;
		}
	}

	static int rawStatus(int port, String host) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(120_000);
			socket.getOutputStream().write(("GET /fhir/Patient HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			String line = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
			return Integer.parseInt(line.substring(9, 12));
		} catch (Exception e) {
			return -1;
		}
	}

	static double percentile(List<Long> sorted, int p) {
		if (sorted.isEmpty()) {
			return Double.NaN;
		}
		int index = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
		return sorted.get(Math.max(0, index)) / 1e6;
	}

	static String option(String[] args, String name, String fallback) {
		for (int i = 0; i + 1 < args.length; i++) {
			if (args[i].equals(name)) {
				return args[i + 1];
			}
		}
		return fallback;
	}
}
