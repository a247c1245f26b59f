package org.lactationcds.cds.feedback;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lactationcds.cds.CdsRequestException;
import org.lactationcds.cds.CdsServiceCatalog;
import org.lactationcds.cds.CdsServiceDefinition;
import org.lactationcds.cds.security.CdsClientAuthenticationFilter;
import org.lactationcds.cds.security.IssuedCards;
import org.lactationcds.cds.security.TrustedClient;
import org.lactationcds.knowledge.KnowledgeLoader;
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

/** CDS Hooks 2.0 feedback: what clinicians did with our cards, stored, and counted per rule. */
@RestController
@RequestMapping(path = "/cds-services/{id}/feedback", produces = MediaType.APPLICATION_JSON_VALUE)
public class FeedbackController {

	private static final Logger log = LoggerFactory.getLogger(FeedbackController.class);

	private final KnowledgeLoader knowledge;
	private final CdsServiceCatalog catalog;
	private final FeedbackParser parser;
	private final FeedbackStore store;
	private final Clock clock;
	private final IssuedCards issuedCards;

	public FeedbackController(KnowledgeLoader knowledge, CdsServiceCatalog catalog, FeedbackParser parser, FeedbackStore store,
			Clock clock, IssuedCards issuedCards) {
		this.issuedCards = issuedCards;
		this.knowledge = knowledge;
		this.catalog = catalog;
		this.parser = parser;
		this.store = store;
		this.clock = clock;
	}

	/** Most feedback items taken in one request (an EHR sends one per card acted on). */
	static final int MAX_ITEMS = 100;

	/**
	 * Stores every item (a resent item once); answers how many were new. Every item must be about a card this server
	 * issued to the caller (its uuid's tag, {@link IssuedCards}), and of one of this service's rules: otherwise 400 and
	 * nothing of the request is stored.
	 */
	@PostMapping
	public Map<String, Object> receive(
			@PathVariable String id,
			@RequestBody(required = false) String body,
			@RequestAttribute(name = CdsClientAuthenticationFilter.CLIENT, required = false) TrustedClient client) {
		CdsServiceDefinition service = service(id);
		List<Feedback> items = parser.parse(body, service.rules());
		if (items.size() > MAX_ITEMS) {
			throw CdsRequestException.badRequest("at most " + MAX_ITEMS + " feedback items per request");
		}
		String receiver = client == null ? "" : client.issuer();
		for (int i = 0; i < items.size(); i++) {
			Feedback item = items.get(i);
			if (item.rule() == null || !issuedCards.issuedTo(java.util.UUID.fromString(item.card()), receiver)) {
				log.warn("feedback on {} refused: card {} was not issued by this service to {}", id, item.card(),
						org.lactationcds.cds.security.LogSafe.text(receiver.isEmpty() ? "(unauthenticated)" : receiver));
				throw CdsRequestException.badRequest("feedback[" + i + "].card is not a card this service issued to you");
			}
		}
		int stored = 0;
		for (Feedback item : items) {
			stored += store.record(id, item, clock.instant()) ? 1 : 0;
		}
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("received", items.size());
		answer.put("stored", stored);
		return answer;
	}

	@GetMapping("/summary")
	public Map<String, Object> summary(@PathVariable String id) {
		service(id);
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("service", id);
		answer.put("rules", store.summary(id));
		return answer;
	}

	private CdsServiceDefinition service(String id) {
		return catalog.find(id, knowledge.current())
				.orElseThrow(() -> new CdsRequestException(404, "no CDS service with id '" + id + "'"));
	}
}
