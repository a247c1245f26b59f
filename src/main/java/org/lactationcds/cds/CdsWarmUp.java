package org.lactationcds.cds;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.lactationcds.dyad.BundleDataSource;
import org.lactationcds.dyad.DataUnavailableException;
import org.lactationcds.dyad.FhirDataSource;
import org.lactationcds.dyad.LocalStoreReads;
import org.lactationcds.demo.ExampleDataLoader;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * Before the server reports ready (Spring Boot reports readiness after the last runner), answers every CDS service
 * for each demo patient with a dyad link, from memory, round after round, and after each round runs every service's
 * prefetch queries against the store, through the same reads the CDS path makes (for the demo patients, whether or
 * not the demo data is loaded, and for a patient id nobody has). Rounds go on until {@link WarmUpProperties} says
 * stop: one round left the first real calls at 70-84 ms for a minute against 29 ms warm, because the JIT compiles
 * the engine's hot methods only after some hundreds of calls.
 */
public final class CdsWarmUp implements ApplicationRunner {

	private static final Logger log = LoggerFactory.getLogger(CdsWarmUp.class);
	/** An id no patient has (ids are at most 64 characters): the store queries run, and find nothing. */
	private static final String WARM_UP_PATIENT = "lactation-cds-warm-up-no-such-patient";

	private final KnowledgeLoader knowledge;
	private final CdsServiceCatalog catalog;
	private final CdsServiceInvoker invoker;
	private final LocalStoreReads store;
	private final List<Bundle> examples;
	private final Clock clock;
	private final WarmUpProperties limits;

	public CdsWarmUp(KnowledgeLoader knowledge, CdsServiceCatalog catalog, CdsServiceInvoker invoker,
			LocalStoreReads store, List<Bundle> examples, Clock clock, WarmUpProperties limits) {
		this.knowledge = knowledge;
		this.catalog = catalog;
		this.invoker = invoker;
		this.store = store;
		this.examples = examples;
		this.clock = clock;
		this.limits = limits;
	}

	@Override
	public void run(ApplicationArguments args) {
		long start = System.nanoTime();
		long deadline = start + limits.maxDuration().toNanos();
		List<Resource> resources = new ArrayList<>();
		for (Bundle example : examples) {
			ExampleDataLoader.shiftToNow(example, clock.instant());
			example.getEntry().forEach(entry -> resources.add(entry.getResource()));
		}
		BundleDataSource source = new BundleDataSource(resources);
		List<CdsServiceDefinition> services = catalog.services(knowledge.current());
		List<Patient> linked = resources.stream()
				.filter(resource -> resource instanceof Patient patient && !patient.getLink().isEmpty())
				.map(Patient.class::cast)
				.toList();
		// Services share most templates: each distinct query runs once a round.
		Set<String> queries = new LinkedHashSet<>();
		List<String> patients = new ArrayList<>(List.of(WARM_UP_PATIENT));
		resources.stream().filter(Patient.class::isInstance).map(patient -> patient.getIdElement().getIdPart()).forEach(patients::add);
		for (String patient : patients) {
			CdsRequest.Context context = new CdsRequest.Context(patient, "Practitioner/warm-up", null, null, null);
			for (CdsServiceDefinition service : services) {
				for (PrefetchTemplate template : service.prefetchTemplates()) {
					queries.add(template.queryFor(context, patient));
				}
			}
		}
		int calls = 0;
		int rounds = 0;
		do {
			for (CdsServiceDefinition service : services) {
				for (Patient patient : linked) {
					invoker.invoke(service, request(service, patient), source);
					calls++;
				}
			}
			FhirDataSource reads = store.forCall();
			for (String query : queries) {
				try {
					reads.fetch(query);
				} catch (DataUnavailableException e) {
					log.warn("warm-up store query {} failed: {}", query, e.getMessage());
				}
			}
			rounds++;
		} while (calls > 0 && calls < limits.calls() && System.nanoTime() < deadline);
		log.info("CDS services warmed up: {} calls and {} rounds of {} store queries in {} ms", calls, rounds,
				queries.size(), (System.nanoTime() - start) / 1_000_000);
	}

	private static CdsRequest request(CdsServiceDefinition service, Patient patient) {
		return new CdsRequest(service.hook(), "00000000-0000-4000-8000-000000000000",
				Optional.empty(), Optional.empty(),
				new CdsRequest.Context(patient.getIdElement().getIdPart(), "Practitioner/warm-up", "warm-up",
						service.hook().isOrderHook() ? new Bundle().setType(Bundle.BundleType.COLLECTION) : null,
						service.hook() == Hook.ORDER_SELECT ? List.of() : null),
				Map.of());
	}
}
