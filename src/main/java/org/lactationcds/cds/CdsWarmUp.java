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
import org.lactationcds.cds.prefetch.BundleDataSource;
import org.lactationcds.cds.prefetch.LocalFhirDataSource;
import org.lactationcds.cds.prefetch.PrefetchTemplate;
import org.lactationcds.demo.ExampleDataLoader;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * Before the server reports ready, answers every CDS service once for each demo mother, from memory, and runs every
 * service's prefetch queries once against the store (for a patient id nobody has): the first call an EHR makes then
 * finds the engine, its caches, the store's query plans and the JIT warm (it took 1.5-2 s cold, 0.6 s with the
 * engine alone warmed).
 */
public final class CdsWarmUp implements ApplicationRunner {

	private static final Logger log = LoggerFactory.getLogger(CdsWarmUp.class);
	/** An id no patient has (ids are at most 64 characters): the store queries run, and find nothing. */
	private static final String WARM_UP_PATIENT = "lactation-cds-warm-up-no-such-patient";

	private final KnowledgeLoader knowledge;
	private final CdsServiceCatalog catalog;
	private final CdsServiceInvoker invoker;
	private final LocalFhirDataSource store;
	private final List<Bundle> examples;
	private final Clock clock;

	public CdsWarmUp(KnowledgeLoader knowledge, CdsServiceCatalog catalog, CdsServiceInvoker invoker,
			LocalFhirDataSource store, List<Bundle> examples, Clock clock) {
		this.knowledge = knowledge;
		this.catalog = catalog;
		this.invoker = invoker;
		this.store = store;
		this.examples = examples;
		this.clock = clock;
	}

	@Override
	public void run(ApplicationArguments args) {
		long start = System.nanoTime();
		List<Resource> resources = new ArrayList<>();
		for (Bundle example : examples) {
			ExampleDataLoader.shiftToToday(example, clock.instant());
			example.getEntry().forEach(entry -> resources.add(entry.getResource()));
		}
		BundleDataSource source = new BundleDataSource(resources);
		int calls = 0;
		for (CdsServiceDefinition service : catalog.services(knowledge.current())) {
			for (Resource resource : resources) {
				if (resource instanceof Patient patient && !patient.getLink().isEmpty()) {
					CdsRequest request = new CdsRequest(service.hook(), "00000000-0000-4000-8000-000000000000",
							Optional.empty(), Optional.empty(),
							new CdsRequest.Context(patient.getIdElement().getIdPart(), "Practitioner/warm-up", "warm-up",
									service.hook().isOrderHook() ? new Bundle().setType(Bundle.BundleType.COLLECTION) : null,
									service.hook() == Hook.ORDER_SELECT ? List.of() : null),
							Map.of());
					invoker.invoke(service, request, source);
					calls++;
				}
			}
		}
		// Services share most templates: each distinct query runs once.
		Set<String> queries = new LinkedHashSet<>();
		CdsRequest.Context nobody = new CdsRequest.Context(WARM_UP_PATIENT, "Practitioner/warm-up", null, null, null);
		for (CdsServiceDefinition service : catalog.services(knowledge.current())) {
			for (PrefetchTemplate template : service.prefetchTemplates()) {
				queries.add(template.queryFor(nobody, WARM_UP_PATIENT));
			}
		}
		queries.forEach(store::fetch);
		log.info("CDS services warmed up: {} calls and {} store queries in {} ms", calls, queries.size(),
				(System.nanoTime() - start) / 1_000_000);
	}
}
