import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * CDS Hooks benchmark against a running Lactation CDS server: seeds N dyads (mother, infant, link and about 100
 * resources of history: daily infant weights and wet diapers, daily maternal temperatures, breastfeeding status,
 * breast findings on some), then drives a scenario with C concurrent connections over distinct patients and prints
 * requests/s, p50/p95/p99 and errors.
 *
 * <p>Scenarios: {@code prefetch} (patient-view on the mother, her own data sent as prefetch; the partner is read
 * from the store), {@code store} (patient-view, no prefetch: everything read from the store), {@code order-sign}
 * (a draft pseudoephedrine order for the mother, with prefetch).
 *
 * <p>{@code java bench/CdsBenchmark.java --url http://127.0.0.1:8080 --dyads 200 --scenario prefetch --connections 16
 * --requests 2000} (JDK only, no build). {@code --seed false} reuses dyads seeded by an earlier run with the same
 * {@code --run} key. {@code --server-pid P} adds the server's CPU time per call (user + system, from /proc).
 * {@code --windows N --window-seconds S} drives the scenario without pause for N windows of S seconds and prints
 * calls/s and p99 of each window (the "cold" series right after a start).
 */
public class CdsBenchmark {

	static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
	static final int DAYS = 30;

	public static void main(String[] args) throws Exception {
		String url = option(args, "--url", "http://127.0.0.1:8080");
		int dyads = Integer.parseInt(option(args, "--dyads", "200"));
		int connections = Integer.parseInt(option(args, "--connections", "16"));
		int requests = Integer.parseInt(option(args, "--requests", "2000"));
		int warmup = Integer.parseInt(option(args, "--warmup", "200"));
		String scenario = option(args, "--scenario", "prefetch");
		String run = option(args, "--run", "b" + UUID.randomUUID().toString().substring(0, 6));
		boolean seed = Boolean.parseBoolean(option(args, "--seed", "true"));
		Optional<ProcessHandle> server = Optional.ofNullable(option(args, "--server-pid", null))
				.flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)));
		int windows = Integer.parseInt(option(args, "--windows", "0"));
		int windowSeconds = Integer.parseInt(option(args, "--window-seconds", "60"));

		HttpClient http = HttpClient.newBuilder()
				.connectTimeout(Duration.ofSeconds(10))
				.executor(Executors.newFixedThreadPool(Math.max(4, connections)))
				.build();
		if (seed) {
			long start = System.nanoTime();
			seed(http, url, run, dyads, 4);
			double seconds = (System.nanoTime() - start) / 1e9;
			System.out.printf(Locale.ROOT, "seeded %d dyads x %d resources in %.1f s (%.0f resources/s)%n",
					dyads, resourcesPerDyad(), seconds, dyads * resourcesPerDyad() / seconds);
		}
		if (scenario.equals("scaling")) {
			scaling(http, url, run);
			System.exit(0);
		}
		if (windows > 0) {
			windows(http, url, run, dyads, scenario, connections, windows, windowSeconds);
		} else if (requests > 0) {
			drive(http, url, run, dyads, scenario, connections, Math.min(warmup, requests), false);
			double cpu0 = server.map(CdsBenchmark::cpuSeconds).orElse(0.0);
			drive(http, url, run, dyads, scenario, connections, requests, true);
			if (server.isPresent()) {
				System.out.printf(Locale.ROOT, "server CPU %.2f ms per call%n",
						1000 * (cpuSeconds(server.get()) - cpu0) / requests);
			}
		}
		System.exit(0);
	}

	static void seed(HttpClient http, String url, String run, int dyads, int clients) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		List<Future<?>> work = new ArrayList<>();
		for (int i = 0; i < dyads; i++) {
			int dyad = i;
			work.add(pool.submit(() -> {
				HttpResponse<String> response = send(http, HttpRequest.newBuilder(URI.create(url + "/fhir"))
						.header("Content-Type", "application/fhir+json")
						.POST(HttpRequest.BodyPublishers.ofString(transaction(run, dyad))));
				if (response.statusCode() != 200) {
					throw new IllegalStateException("seeding failed: " + response.statusCode() + " " + abbreviate(response.body()));
				}
				return null;
			}));
		}
		for (Future<?> future : work) {
			future.get();
		}
		pool.shutdown();
	}

	static void drive(HttpClient http, String url, String run, int dyads, String scenario, int connections, int requests,
			boolean report) throws Exception {
		String service = scenario.equals("order-sign") ? "lactation-order-sign" : "lactation-patient-view";
		ExecutorService pool = Executors.newFixedThreadPool(connections);
		AtomicInteger next = new AtomicInteger();
		AtomicInteger errors = new AtomicInteger();
		long[] latencies = new long[requests];
		long start = System.nanoTime();
		List<Future<?>> work = new ArrayList<>();
		for (int c = 0; c < connections; c++) {
			work.add(pool.submit(() -> {
				for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
					String body = call(scenario, run, i % dyads);
					long t0 = System.nanoTime();
					HttpResponse<String> response = send(http, HttpRequest.newBuilder(URI.create(url + "/cds-services/" + service))
							.header("Content-Type", "application/json")
							.POST(HttpRequest.BodyPublishers.ofString(body)));
					latencies[i] = (System.nanoTime() - t0) / 1000;
					if (response.statusCode() != 200 || !response.body().startsWith("{\"cards\":")) {
						if (errors.getAndIncrement() < 3) {
							System.err.println("error " + response.statusCode() + ": " + abbreviate(response.body()));
						}
					}
				}
				return null;
			}));
		}
		for (Future<?> future : work) {
			future.get();
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		pool.shutdown();
		if (report) {
			Arrays.sort(latencies);
			System.out.printf(Locale.ROOT, "%-12s connections %3d  requests %6d  %7.1f req/s  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  errors %d%n",
					scenario, connections, requests, requests / seconds, percentile(latencies, 50) / 1000.0,
					percentile(latencies, 95) / 1000.0, percentile(latencies, 99) / 1000.0, errors.get());
		}
	}

	/**
	 * Calls without pause for {@code windows} windows of {@code seconds} each; each window's completed calls/s and
	 * p99, as the server warms (or does not) under load.
	 */
	static void windows(HttpClient http, String url, String run, int dyads, String scenario, int connections, int windows,
			int seconds) throws Exception {
		String service = scenario.equals("order-sign") ? "lactation-order-sign" : "lactation-patient-view";
		long start = System.nanoTime();
		long end = start + windows * seconds * 1_000_000_000L;
		List<List<Long>> byWindow = new ArrayList<>();
		for (int w = 0; w < windows; w++) {
			byWindow.add(java.util.Collections.synchronizedList(new ArrayList<>()));
		}
		AtomicInteger next = new AtomicInteger();
		AtomicInteger errors = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(connections);
		List<Future<?>> work = new ArrayList<>();
		for (int c = 0; c < connections; c++) {
			work.add(pool.submit(() -> {
				while (System.nanoTime() < end) {
					String body = call(scenario, run, next.getAndIncrement() % dyads);
					long t0 = System.nanoTime();
					HttpResponse<String> response = send(http, HttpRequest.newBuilder(URI.create(url + "/cds-services/" + service))
							.header("Content-Type", "application/json")
							.POST(HttpRequest.BodyPublishers.ofString(body)));
					long t1 = System.nanoTime();
					if (response.statusCode() != 200 || !response.body().startsWith("{\"cards\":")) {
						errors.incrementAndGet();
					}
					int window = (int) ((t1 - start) / (seconds * 1_000_000_000L));
					if (window < windows) {
						byWindow.get(window).add((t1 - t0) / 1000);
					}
				}
				return null;
			}));
		}
		for (Future<?> future : work) {
			future.get();
		}
		pool.shutdown();
		for (int w = 0; w < windows; w++) {
			long[] latencies = byWindow.get(w).stream().mapToLong(Long::longValue).sorted().toArray();
			System.out.printf(Locale.ROOT, "%-12s window %2d (%3d-%3d s)  connections %3d  %7.1f req/s  p50 %7.1f ms  p99 %7.1f ms%n",
					scenario, w + 1, w * seconds, (w + 1) * seconds, connections, latencies.length / (double) seconds,
					percentile(latencies, 50) / 1000.0, percentile(latencies, 99) / 1000.0);
		}
		System.out.println("errors " + errors.get());
	}

	/** CPU time (user and system) a process has used so far; 0 where the platform does not say. */
	static double cpuSeconds(ProcessHandle process) {
		return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
	}

	/**
	 * Latency against history size: a dyad whose mother has 10, 100, 1,000 and 5,000 temperature Observations (hourly,
	 * going back from now); the median of 11 sequential patient-views without prefetch, after one warm-up call.
	 */
	static void scaling(HttpClient http, String url, String run) {
		for (int observations : new int[] {10, 100, 1_000, 5_000}) {
			String key = run + "s" + observations;
			send(http, HttpRequest.newBuilder(URI.create(url + "/fhir")).header("Content-Type", "application/fhir+json")
					.POST(HttpRequest.BodyPublishers.ofString(transaction(key, 0))));
			String mother = ids(key, 0, "mom");
			for (int from = 0; from < observations; from += 500) {
				StringBuilder entries = new StringBuilder();
				for (int i = from; i < Math.min(observations, from + 500); i++) {
					String[] temperature = observation(ids(key, 0, "h" + i), mother, "http://loinc.org", "8310-5",
							NOW.minus(Duration.ofHours(i + 1)), quantity(36.5 + (i % 5) / 10.0, "Cel"));
					entries.append(entries.length() > 0 ? "," : "").append("{\"fullUrl\":\"http://bench/Observation/")
							.append(temperature[1]).append("\",\"resource\":").append(temperature[2])
							.append(",\"request\":{\"method\":\"PUT\",\"url\":\"Observation/").append(temperature[1]).append("\"}}");
				}
				HttpResponse<String> response = send(http, HttpRequest.newBuilder(URI.create(url + "/fhir"))
						.header("Content-Type", "application/fhir+json")
						.POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}")));
				if (response.statusCode() != 200) {
					throw new IllegalStateException("seeding failed: " + response.statusCode() + " " + abbreviate(response.body()));
				}
			}
			long[] latencies = new long[11];
			for (int i = -1; i < latencies.length; i++) {
				long t0 = System.nanoTime();
				HttpResponse<String> response = send(http, HttpRequest.newBuilder(URI.create(url + "/cds-services/lactation-patient-view"))
						.header("Content-Type", "application/json")
						.POST(HttpRequest.BodyPublishers.ofString(call("store", key, 0))));
				if (response.statusCode() != 200) {
					throw new IllegalStateException("call failed: " + response.statusCode() + " " + abbreviate(response.body()));
				}
				if (i >= 0) {
					latencies[i] = (System.nanoTime() - t0) / 1000;
				}
			}
			Arrays.sort(latencies);
			System.out.printf(Locale.ROOT, "scaling      maternal observations %5d (+%d in the dyad)  patient-view p50 %7.1f ms%n",
					observations, resourcesPerDyad() - 3, latencies[latencies.length / 2] / 1000.0);
		}
	}

	// ---------------------------------------------------------------- data

	static int resourcesPerDyad() {
		return 3 + 1 + DAYS + DAYS + DAYS + 1 + 3;
	}

	static String ids(String run, int dyad, String what) {
		return run + "-" + dyad + "-" + what;
	}

	/** One dyad's resources as JSON strings: the infant is DAYS days old; every 4th mother has mastitis signs. */
	static List<String[]> dyadResources(String run, int dyad) {
		String infant = ids(run, dyad, "inf");
		String mother = ids(run, dyad, "mom");
		String link = ids(run, dyad, "rp");
		Instant birth = NOW.minus(Duration.ofDays(DAYS)).minus(Duration.ofHours(2));
		List<String[]> resources = new ArrayList<>();
		resources.add(new String[] {"Patient", infant, "{\"resourceType\":\"Patient\",\"id\":\"" + infant + "\",\"birthDate\":\""
				+ birth.toString().substring(0, 10) + "\",\"_birthDate\":{\"extension\":[{\"url\":"
				+ "\"http://hl7.org/fhir/StructureDefinition/patient-birthTime\",\"valueDateTime\":\"" + birth + "\"}]}}"});
		resources.add(new String[] {"RelatedPerson", link, "{\"resourceType\":\"RelatedPerson\",\"id\":\"" + link
				+ "\",\"patient\":{\"reference\":\"Patient/" + infant + "\"},\"relationship\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/v3-RoleCode\",\"code\":\"MTH\"}]}]}"});
		resources.add(new String[] {"Patient", mother, "{\"resourceType\":\"Patient\",\"id\":\"" + mother
				+ "\",\"link\":[{\"other\":{\"reference\":\"RelatedPerson/" + link + "\"},\"type\":\"seealso\"}]}"});
		resources.add(observation(ids(run, dyad, "bw"), infant, "http://loinc.org", "8339-4", birth, quantity(3500, "g")));
		for (int day = 1; day <= DAYS; day++) {
			Instant at = birth.plus(Duration.ofDays(day)).plus(Duration.ofMinutes(dyad % 60));
			resources.add(observation(ids(run, dyad, "w" + day), infant, "http://loinc.org", "29463-7", at,
					quantity(3400 + 30 * day - (dyad % 7) * 10, "g")));
			resources.add(window(ids(run, dyad, "d" + day), infant, birth.plus(Duration.ofDays(day - 1)), 6 + dyad % 3));
			resources.add(observation(ids(run, dyad, "t" + day), mother, "http://loinc.org", "8310-5", at,
					quantity(dyad % 4 == 0 && day == DAYS ? 38.6 : 36.8, "Cel")));
		}
		resources.add(observation(ids(run, dyad, "bf"), mother, "http://loinc.org", "63895-7", NOW.minus(Duration.ofHours(5)),
				"\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"LA29252-6\"}]}"));
		boolean mastitis = dyad % 4 == 0;
		Instant recent = NOW.minus(Duration.ofHours(3));
		resources.add(observation(ids(run, dyad, "f1"), mother, "http://snomed.info/sct", "247441003", recent,
				"\"valueBoolean\":" + mastitis));
		resources.add(observation(ids(run, dyad, "f2"), mother, "http://snomed.info/sct", "53430007", recent,
				"\"valueBoolean\":" + mastitis));
		resources.add(observation(ids(run, dyad, "f3"), mother, "http://snomed.info/sct", "200416006", recent,
				"\"valueBoolean\":false"));
		return resources;
	}

	static String transaction(String run, int dyad) {
		StringBuilder entries = new StringBuilder();
		for (String[] resource : dyadResources(run, dyad)) {
			if (entries.length() > 0) {
				entries.append(',');
			}
			entries.append("{\"fullUrl\":\"http://bench/").append(resource[0]).append('/').append(resource[1])
					.append("\",\"resource\":").append(resource[2])
					.append(",\"request\":{\"method\":\"PUT\",\"url\":\"").append(resource[0]).append('/').append(resource[1]).append("\"}}");
		}
		return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}";
	}

	/** A CDS Hooks call on the dyad's mother; with prefetch, her own resources by template key. */
	static String call(String scenario, String run, int dyad) {
		String mother = ids(run, dyad, "mom");
		StringBuilder body = new StringBuilder("{\"hookInstance\":\"" + UUID.randomUUID() + "\",\"hook\":\""
				+ (scenario.equals("order-sign") ? "order-sign" : "patient-view") + "\",\"context\":{\"userId\":"
				+ "\"Practitioner/bench\",\"patientId\":\"" + mother + "\"");
		if (scenario.equals("order-sign")) {
			body.append(",\"draftOrders\":{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":"
					+ "{\"resourceType\":\"MedicationRequest\",\"id\":\"draft-1\",\"status\":\"draft\",\"intent\":\"order\","
					+ "\"subject\":{\"reference\":\"Patient/" + mother + "\"},\"medicationCodeableConcept\":{\"coding\":[{"
					+ "\"system\":\"http://www.nlm.nih.gov/research/umls/rxnorm\",\"code\":\"8896\"}]}}}]}");
		}
		body.append('}');
		if (!scenario.equals("store")) {
			List<String> observations = new ArrayList<>();
			String patient = null;
			for (String[] resource : dyadResources(run, dyad)) {
				if (resource[1].equals(mother)) {
					patient = resource[2];
				} else if (resource[2].contains("\"reference\":\"Patient/" + mother + "\"") && resource[0].equals("Observation")) {
					observations.add(resource[2]);
				}
			}
			body.append(",\"prefetch\":{\"patient\":").append(patient)
					.append(",\"related\":").append(searchset(List.of()))
					.append(",\"obs\":").append(searchset(observations))
					.append(",\"cond\":").append(searchset(List.of()))
					.append(",\"careplans\":").append(searchset(List.of()))
					.append(",\"procs\":").append(searchset(List.of()));
			if (!scenario.equals("order-sign")) {
				body.append(",\"meds\":").append(searchset(List.of())).append(",\"medstatements\":").append(searchset(List.of()));
			}
			body.append('}');
		}
		return body.append('}').toString();
	}

	static String searchset(List<String> resources) {
		StringBuilder entries = new StringBuilder();
		for (String resource : resources) {
			entries.append(entries.length() > 0 ? "," : "").append("{\"resource\":").append(resource).append('}');
		}
		return "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[" + entries + "]}";
	}

	static String[] observation(String id, String subject, String system, String code, Instant at, String value) {
		return new String[] {"Observation", id, "{\"resourceType\":\"Observation\",\"id\":\"" + id + "\",\"status\":\"final\","
				+ "\"code\":{\"coding\":[{\"system\":\"" + system + "\",\"code\":\"" + code + "\"}]},\"subject\":{\"reference\":"
				+ "\"Patient/" + subject + "\"},\"effectiveDateTime\":\"" + at + "\"," + value + "}"};
	}

	static String[] window(String id, String infant, Instant start, int diapers) {
		return new String[] {"Observation", id, "{\"resourceType\":\"Observation\",\"id\":\"" + id + "\",\"status\":\"final\","
				+ "\"code\":{\"coding\":[{\"system\":\"http://lactation-cds.org/fhir/CodeSystem/lactation-obs\",\"code\":"
				+ "\"infant-wet-diapers-24h\"}]},\"subject\":{\"reference\":\"Patient/" + infant + "\"},\"effectivePeriod\":{"
				+ "\"start\":\"" + start + "\",\"end\":\"" + start.plus(Duration.ofDays(1)) + "\"},\"valueInteger\":" + diapers + "}"};
	}

	static String quantity(double value, String ucum) {
		return "\"valueQuantity\":{\"value\":" + value + ",\"unit\":\"" + ucum + "\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"" + ucum + "\"}";
	}

	// ---------------------------------------------------------------- plumbing

	static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) {
		try {
			return http.send(request.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
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
