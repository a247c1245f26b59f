package org.lactationcds.clinic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.lactationcds.audit.AuditTrail;
import org.lactationcds.caller.Caller;
import org.lactationcds.cds.CdsRequest;
import org.lactationcds.cds.CdsErrorHandler;
import org.lactationcds.cds.CdsServiceCatalog;
import org.lactationcds.cds.CdsServiceDefinition;
import org.lactationcds.cds.CdsServiceInvoker;
import org.lactationcds.cds.FhirDataSources;
import org.lactationcds.cds.Hook;
import org.lactationcds.cds.card.Card;
import org.lactationcds.dyad.DataUnavailableException;
import org.lactationcds.dyad.Dyad;
import org.lactationcds.dyad.LocalFhirDataSource;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.lactationcds.knowledge.KnowledgeNotLoadedException;
import org.lactationcds.knowledge.KnowledgeSnapshot;
import org.lactationcds.security.SecurityProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dyad view's cards: the patient-view CDS service evaluated for one patient from this server's store, exactly as
 * an EHR's {@code patient-view} call without prefetch is ({@link CdsServiceInvoker}), for the clinic app. A browser
 * launched from an EHR holds a SMART access token, not a CDS client JWT, so this path sits behind the FHIR
 * resource-server chain (the token is verified there) and {@link DyadCardAccess} decides, before any patient data is
 * read, whether the token may see this patient's dyad. Errors are JSON {@code {"error","message"}}.
 */
@RestController
class DyadCardsController {

	static final String PATH = "/app/api/cards";
	private static final Logger log = LoggerFactory.getLogger(DyadCardsController.class);
	/** A FHIR id; anything else is refused before it reaches a query. */
	private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

	private final KnowledgeLoader knowledge;
	private final CdsServiceCatalog catalog;
	private final CdsServiceInvoker invoker;
	private final FhirDataSources dataSources;
	private final LocalFhirDataSource store;
	private final AuditTrail audit;
	private final DyadCardAccess access;

	DyadCardsController(KnowledgeLoader knowledge, CdsServiceCatalog catalog, CdsServiceInvoker invoker,
			FhirDataSources dataSources, LocalFhirDataSource store, AuditTrail audit, SecurityProperties security) {
		this.knowledge = knowledge;
		this.catalog = catalog;
		this.invoker = invoker;
		this.dataSources = dataSources;
		this.store = store;
		this.audit = audit;
		this.access = new DyadCardAccess(security.fhirIssuersConfigured());
	}

	@GetMapping(path = PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> cards(@RequestParam(name = "patient", required = false) String patientId) {
		if (patientId == null || !ID.matcher(patientId).matches()) {
			throw new DyadCardAccess.Refused(400, "give the patient as ?patient=<Patient id>");
		}
		Caller caller = Caller.current();
		access.check(caller, patientId, store);
		KnowledgeSnapshot snapshot = knowledge.current();
		CdsServiceDefinition service = catalog.services(snapshot).stream()
				.filter(candidate -> candidate.hook() == Hook.PATIENT_VIEW)
				.findFirst()
				.orElseThrow(() -> new DyadCardAccess.Refused(503, "the knowledge has no patient-view service"));
		String hookInstance = UUID.randomUUID().toString();
		// The call an EHR makes without prefetch or fhirServer: every member's data from this server's store.
		CdsRequest request = new CdsRequest(Hook.PATIENT_VIEW, hookInstance, Optional.empty(), Optional.empty(),
				new CdsRequest.Context(patientId, "Practitioner/clinic-app", null, null, null), Map.of());
		CdsServiceInvoker.Evaluation evaluation = invoker.evaluate(service, request, dataSources.forRequest(request));
		List<Card> cards = evaluation.cards();
		audit.cdsCall(caller.authenticated() ? caller.name() : null, service.id(), service.hook().id(), hookInstance,
				patientId, cards.stream().map(card -> new AuditTrail.ReturnedCard(card.rule(), card.indicator())).toList());
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("patient", patientId);
		answer.put("service", service.id());
		// The dyad the cards are about, so the app opens the same mother and infant (ids only).
		Map<String, List<String>> members = new LinkedHashMap<>();
		members.put("mothers", membersOf(evaluation.dyad(), Dyad.Role.MOTHER));
		members.put("infants", membersOf(evaluation.dyad(), Dyad.Role.INFANT));
		answer.put("dyad", members);
		answer.put("cards", cards);
		return answer;
	}

	private static List<String> membersOf(Dyad dyad, Dyad.Role role) {
		return dyad.members().entrySet().stream().filter(member -> member.getValue() == role).map(Map.Entry::getKey).toList();
	}

	@ExceptionHandler(DyadCardAccess.Refused.class)
	ResponseEntity<Map<String, Object>> refused(DyadCardAccess.Refused e) {
		return CdsErrorHandler.error(HttpStatus.valueOf(e.status()), e.getMessage());
	}

	@ExceptionHandler(DataUnavailableException.class)
	ResponseEntity<Map<String, Object>> notFound(DataUnavailableException e) {
		return CdsErrorHandler.error(HttpStatus.NOT_FOUND, e.getMessage());
	}

	@ExceptionHandler(KnowledgeNotLoadedException.class)
	ResponseEntity<Map<String, Object>> starting(KnowledgeNotLoadedException e) {
		return CdsErrorHandler.error(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<Map<String, Object>> unexpected(Exception e) {
		log.error("the dyad view's cards failed", e);
		return CdsErrorHandler.error(HttpStatus.INTERNAL_SERVER_ERROR, "the cards could not be evaluated; the server log has the details");
	}
}
