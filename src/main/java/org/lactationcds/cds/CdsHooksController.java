package org.lactationcds.cds;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.lactationcds.audit.AuditTrail;
import org.lactationcds.cds.card.Card;
import org.lactationcds.cds.card.DyadViewLink;
import org.lactationcds.cds.security.CdsClientAuthenticationFilter;
import org.lactationcds.cds.security.IssuedCards;
import org.lactationcds.cds.security.TrustedClient;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.lactationcds.knowledge.KnowledgeSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** CDS Hooks 2.0: discovery and the service calls. */
@RestController
@RequestMapping(path = "/cds-services", produces = MediaType.APPLICATION_JSON_VALUE)
public class CdsHooksController {

	private static final Logger log = LoggerFactory.getLogger(CdsHooksController.class);

	private final KnowledgeLoader knowledge;
	private final CdsServiceCatalog catalog;
	private final CdsRequestParser parser;
	private final CdsServiceInvoker invoker;
	private final FhirDataSources dataSources;
	private final AuditTrail audit;
	private final IssuedCards issuedCards;
	private final DyadViewLink dyadViewLink;

	public CdsHooksController(
			KnowledgeLoader knowledge,
			CdsServiceCatalog catalog,
			CdsRequestParser parser,
			CdsServiceInvoker invoker,
			FhirDataSources dataSources,
			AuditTrail audit,
			IssuedCards issuedCards,
			DyadViewLink dyadViewLink) {
		this.dyadViewLink = dyadViewLink;
		this.audit = audit;
		this.issuedCards = issuedCards;
		this.knowledge = knowledge;
		this.catalog = catalog;
		this.parser = parser;
		this.invoker = invoker;
		this.dataSources = dataSources;
	}

	@GetMapping
	public Map<String, List<CdsServiceDefinition>> discovery() {
		return Map.of("services", catalog.services(knowledge.current()));
	}

	@PostMapping("/{id}")
	public Map<String, List<Card>> call(
			@PathVariable String id,
			@RequestBody(required = false) String body,
			@RequestAttribute(name = CdsClientAuthenticationFilter.CLIENT, required = false) TrustedClient client) {
		KnowledgeSnapshot snapshot = knowledge.current();
		CdsServiceDefinition service = service(id, snapshot);
		CdsRequest request = parser.parse(body, service.hook());
		// No server-side request forgery: a trusted client may name only the FHIR servers registered for it.
		if (client != null && request.fhirServer().isPresent() && !client.mayFetchFrom(request.fhirServer().get())) {
			log.warn("{} hookInstance={}: fhirServer {} is not registered for {}", service.id(), request.hookInstance(),
					request.fhirServer().get(), client.issuer());
			throw new CdsRequestException(403, "fhirServer is not registered for this CDS client");
		}
		// A trusted client reads this server's store only when registered to (then for the dyad in context only).
		boolean localStore = client == null || client.readsLocalStore();
		List<Card> cards = invoker.invoke(service, request, dataSources.forRequest(request, localStore));
		audit.cdsCall(client == null ? null : client.issuer(), service.id(), service.hook().id(), request.hookInstance(),
				request.context().patientId(),
				cards.stream().map(card -> new AuditTrail.ReturnedCard(card.rule(), card.indicator())).toList());
		log.info("{} hookInstance={} cards={}", service.id(), request.hookInstance(), cards.size());
		String receiver = client == null ? "" : client.issuer();
		// patient-view cards lead to the clinic app's view of the patient's dyad, after the cards' own source links.
		Optional<Card.Link> dyadView = service.hook() == Hook.PATIENT_VIEW
				? Optional.of(dyadViewLink.forPatient(request.context().patientId(),
						ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString()))
				: Optional.empty();
		return Map.of("cards", cards.stream().map(card -> tagged(card, receiver, dyadView)).toList());
	}

	/**
	 * The card with a uuid that proves, when feedback comes, that we issued it to this client, and the link to the
	 * dyad view when there is one.
	 */
	private Card tagged(Card card, String receiver, Optional<Card.Link> dyadView) {
		List<Card.Link> links = card.links() == null ? List.of() : card.links();
		if (dyadView.isPresent()) {
			links = Stream.concat(links.stream(), dyadView.stream()).toList();
		}
		return new Card(issuedCards.tag(UUID.fromString(card.uuid()), receiver).toString(), card.summary(), card.detail(),
				card.indicator(), card.source(), card.suggestions(), card.selectionBehavior(), card.overrideReasons(),
				links);
	}

	CdsServiceDefinition service(String id, KnowledgeSnapshot snapshot) {
		return catalog.find(id, snapshot)
				.orElseThrow(() -> new CdsRequestException(404, "no CDS service with id '" + id + "'"));
	}
}
