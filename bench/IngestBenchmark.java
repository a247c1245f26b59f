import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ingest benchmark: posts N clinic-visit transaction bundles (mother, infant, RelatedPerson link and nine
 * Observations: 12 resources each) with C concurrent clients to a running Lactation CDS server, then prints
 * resources/s and the per-bundle latency distribution, after unmeasured warm-up bundles (default 2,000): the figure
 * is a running server's sustained rate, not a cold one's.
 *
 * <p>Run with the JDK alone (no build): {@code java bench/IngestBenchmark.java --url http://127.0.0.1:8080/fhir
 * --bundles 2000 --clients 4}. Every run uses fresh identifiers, so runs can be repeated against the same database.
 * With {@code --server-pid} it also prints the CPU time the server process, and the local PostgreSQL processes, spent
 * per measured bundle: on a machine that client, server and database share, that cost, not the latency, sets the
 * ceiling on the rate.
 */
public class IngestBenchmark {

	static final int RESOURCES_PER_BUNDLE = 12;

	public static void main(String[] args) throws Exception {
		String url = option(args, "--url", "http://127.0.0.1:8080/fhir");
		int bundles = Integer.parseInt(option(args, "--bundles", "2000"));
		int clients = Integer.parseInt(option(args, "--clients", "4"));
		// Unmeasured bundles first: a fresh server keeps compiling its hot paths for minutes, and with 100 warm-up bundles
		// the measured rate was 405 resources/s against 581 after 3,000 (same code and command otherwise).
		int warmup = Integer.parseInt(option(args, "--warmup", "2000"));
		String run = UUID.randomUUID().toString().substring(0, 8);
		Optional<ProcessHandle> server = Optional.ofNullable(option(args, "--server-pid", null))
				.flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)));

		HttpClient http = HttpClient.newBuilder()
				.connectTimeout(Duration.ofSeconds(10))
				.executor(Executors.newFixedThreadPool(clients))
				.build();

		System.out.printf("ingest: %d bundles x %d resources, %d clients, %d warm-up bundles, server %s%n",
				bundles, RESOURCES_PER_BUNDLE, clients, warmup, url);
		runPhase(http, url, run + "w", warmup, clients);
		double serverCpu0 = server.map(IngestBenchmark::cpuSeconds).orElse(0.0);
		double postgresCpu0 = postgresCpuSeconds();
		Result result = runPhase(http, url, run, bundles, clients);
		double serverCpu = server.map(IngestBenchmark::cpuSeconds).orElse(0.0) - serverCpu0;
		double postgresCpu = postgresCpuSeconds() - postgresCpu0;

		long[] sorted = result.latenciesMicros.clone();
		Arrays.sort(sorted);
		double seconds = result.elapsed.toNanos() / 1e9;
		System.out.printf(Locale.ROOT, "bundles ok      %d (errors %d)%n", result.ok, result.errors);
		System.out.printf(Locale.ROOT, "elapsed         %.1f s%n", seconds);
		System.out.printf(Locale.ROOT, "resources/s     %.0f%n", result.ok * RESOURCES_PER_BUNDLE / seconds);
		System.out.printf(Locale.ROOT, "bundles/s       %.1f%n", result.ok / seconds);
		System.out.printf(Locale.ROOT, "bundle p50      %.1f ms%n", percentile(sorted, 50) / 1000.0);
		System.out.printf(Locale.ROOT, "bundle p99      %.1f ms%n", percentile(sorted, 99) / 1000.0);
		if (server.isPresent()) {
			System.out.printf(Locale.ROOT, "server CPU      %.1f ms per bundle (%.2f cores busy)%n",
					1000 * serverCpu / bundles, serverCpu / seconds);
		}
		if (postgresCpu > 0) {
			System.out.printf(Locale.ROOT, "PostgreSQL CPU  %.1f ms per bundle (local postgres processes)%n",
					1000 * postgresCpu / bundles);
		}
		System.exit(result.errors == 0 ? 0 : 1);
	}

	record Result(int ok, int errors, long[] latenciesMicros, Duration elapsed) {}

	static Result runPhase(HttpClient http, String url, String run, int bundles, int clients) throws Exception {
		AtomicInteger next = new AtomicInteger();
		AtomicInteger errors = new AtomicInteger();
		long[] latencies = new long[bundles];
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		Instant start = Instant.now();
		List<Future<?>> workers = new ArrayList<>();
		for (int c = 0; c < clients; c++) {
			workers.add(pool.submit(() -> {
				for (int i = next.getAndIncrement(); i < bundles; i = next.getAndIncrement()) {
					HttpRequest request = HttpRequest.newBuilder(URI.create(url))
							.timeout(Duration.ofSeconds(60))
							.header("Content-Type", "application/fhir+json")
							.POST(HttpRequest.BodyPublishers.ofString(visitBundle(run + "-" + i, i)))
							.build();
					long t0 = System.nanoTime();
					try {
						HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
						if (response.statusCode() != 200) {
							if (errors.incrementAndGet() <= 3) {
								System.err.println("HTTP " + response.statusCode() + ": " + abbreviate(response.body()));
							}
						}
					} catch (Exception e) {
						if (errors.incrementAndGet() <= 3) {
							System.err.println("request failed: " + e);
						}
					}
					latencies[i] = (System.nanoTime() - t0) / 1000;
				}
				return null;
			}));
		}
		for (Future<?> worker : workers) {
			worker.get();
		}
		pool.shutdown();
		Duration elapsed = Duration.between(start, Instant.now());
		return new Result(bundles - errors.get(), errors.get(), latencies, elapsed);
	}

	/** One clinic visit: the dyad (conditionally created by identifier, as a clinic re-sending a visit would) and nine observations. */
	static String visitBundle(String key, int seed) {
		String mom = "urn:uuid:" + UUID.randomUUID();
		String inf = "urn:uuid:" + UUID.randomUUID();
		String rp = "urn:uuid:" + UUID.randomUUID();
		int birthWeight = 3000 + seed % 900;
		StringBuilder entries = new StringBuilder();
		entries.append(entry(inf, "Patient", "identifier=urn:bench:patient|inf-" + key,
				"{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:bench:patient\",\"value\":\"inf-" + key
						+ "\"}],\"birthDate\":\"2025-03-01\",\"gender\":\"female\"}"));
		entries.append(',').append(entry(rp, "RelatedPerson", null,
				"{\"resourceType\":\"RelatedPerson\",\"patient\":{\"reference\":\"" + inf + "\"},\"relationship\":[{\"coding\":[{"
						+ "\"system\":\"http://terminology.hl7.org/CodeSystem/v3-RoleCode\",\"code\":\"MTH\"}]}]}"));
		entries.append(',').append(entry(mom, "Patient", "identifier=urn:bench:patient|mom-" + key,
				"{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:bench:patient\",\"value\":\"mom-" + key
						+ "\"}],\"gender\":\"female\",\"link\":[{\"other\":{\"reference\":\"" + rp + "\"},\"type\":\"seealso\"}]}"));
		entries.append(',').append(observation(inf, "http://loinc.org", "8339-4", "2025-03-01T08:00:00Z",
				quantity(birthWeight, "g")));
		for (int day = 1; day <= 4; day++) {
			entries.append(',').append(observation(inf, "http://loinc.org", "29463-7",
					"2025-03-0" + (1 + day) + "T08:00:00Z", quantity(birthWeight - 60 * day + day * day * 5, "g")));
		}
		entries.append(',').append(observation(mom, "http://loinc.org", "8310-5", "2025-03-05T08:00:00Z",
				quantity(36.6 + (seed % 20) / 10.0, "Cel")));
		entries.append(',').append(observation(mom, "http://loinc.org", "63895-7", "2025-03-05T08:00:00Z",
				"\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"LA29252-6\"}]}"));
		entries.append(',').append(observation(mom, "http://snomed.info/sct", "53430007", "2025-03-05T08:00:00Z",
				"\"valueBoolean\":" + (seed % 3 == 0)));
		entries.append(',').append(observation(mom, "http://loinc.org", "72514-3", "2025-03-05T08:00:00Z",
				"\"valueInteger\":" + seed % 10));
		return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}";
	}

	static String observation(String subject, String system, String code, String effective, String value) {
		String resource = "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\""
				+ system + "\",\"code\":\"" + code + "\"}]},\"subject\":{\"reference\":\"" + subject
				+ "\"},\"effectiveDateTime\":\"" + effective + "\"," + value + "}";
		return entry("urn:uuid:" + UUID.randomUUID(), "Observation", null, resource);
	}

	static String quantity(double value, String ucum) {
		return String.format(Locale.ROOT,
				"\"valueQuantity\":{\"value\":%s,\"unit\":\"%s\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"%s\"}",
				value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.1f", value),
				ucum, ucum);
	}

	static String entry(String fullUrl, String type, String ifNoneExist, String resource) {
		String request = "{\"method\":\"POST\",\"url\":\"" + type + "\""
				+ (ifNoneExist == null ? "" : ",\"ifNoneExist\":\"" + ifNoneExist + "\"") + "}";
		return "{\"fullUrl\":\"" + fullUrl + "\",\"resource\":" + resource + ",\"request\":" + request + "}";
	}

	/** CPU time (user and system) a process has used so far; 0 where the platform does not say. */
	static double cpuSeconds(ProcessHandle process) {
		return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
	}

	/** CPU time of the PostgreSQL processes on this machine (backends and background workers alike). */
	static double postgresCpuSeconds() {
		return ProcessHandle.allProcesses()
				.filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
				.mapToDouble(IngestBenchmark::cpuSeconds)
				.sum();
	}

	static long percentile(long[] sorted, int p) {
		if (sorted.length == 0) {
			return 0;
		}
		int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

	static String option(String[] args, String name, String fallback) {
		for (int i = 0; i < args.length - 1; i++) {
			if (args[i].equals(name)) {
				return args[i + 1];
			}
		}
		return fallback;
	}

	static String abbreviate(String text) {
		return text.length() > 300 ? text.substring(0, 300) + "..." : text;
	}
}
