package org.lactationcds.cds;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IJsonLikeParser;
import ca.uhn.fhir.parser.json.jackson.JacksonStructure;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.lactationcds.security.InputCheck;

/**
 * Reads and checks a CDS Hooks 2.0 request body against the called service: every problem becomes a 400 whose
 * message names the field (CDS Hooks 2.0 "Calling a CDS Service", Hook Library 1.0.1 contexts).
 */
public final class CdsRequestParser {

	private static final Pattern UUID = Pattern.compile(
			"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
	/** A FHIR logical id (R4: 1-64 of A-Z a-z 0-9 - .). */
	private static final Pattern FHIR_ID = Pattern.compile("^[A-Za-z0-9\\-.]{1,64}$");
	private static final Pattern REFERENCE = Pattern.compile("^([A-Za-z]+)/([A-Za-z0-9\\-.]{1,64})$");
	private static final Set<String> CLINICIAN_TYPES = Set.of("Practitioner", "PractitionerRole");
	private static final Set<String> PATIENT_VIEW_USER_TYPES =
			Set.of("Practitioner", "PractitionerRole", "Patient", "RelatedPerson");

	private final ObjectMapper json;
	private final FhirContext fhirContext;

	/** Deepest JSON accepted: FHIR resources in prefetch nest about 20 levels; nothing legitimate comes near this. */
	static final int MAX_JSON_DEPTH = 100;
	/** Most resources accepted in one request's prefetch and draft orders, unless configured. */
	static final int MAX_RESOURCES = 5000;

	private final int maxResources;

	public CdsRequestParser(ObjectMapper json, FhirContext fhirContext) {
		this(json, fhirContext, MAX_RESOURCES);
	}

	/** @param maxResources most resources in prefetch and draft orders together (413 above): bounds a call's work */
	public CdsRequestParser(ObjectMapper json, FhirContext fhirContext, int maxResources) {
		this.maxResources = maxResources;
		// FHIR decimals keep their written precision (3.10 stays 3.10): read as exact BigDecimals, not doubles.
		this.json = json.copy()
				.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
				.setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
		this.json.getFactory().setStreamReadConstraints(
				StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH)
						.maxNumberLength(InputCheck.MAX_NUMBER_DIGITS + 12).build());
		this.fhirContext = fhirContext;
	}

	public CdsRequest parse(String body, Hook serviceHook) {
		JsonNode root = readJson(body);
		if (!root.isObject()) {
			throw CdsRequestException.badRequest("the request body must be a JSON object");
		}
		// Counted before any resource is parsed: the work of a call grows with its resources.
		int resources = root.findValues("resourceType").size();
		if (resources > maxResources) {
			throw new CdsRequestException(413, "prefetch and draftOrders hold " + resources + " resources, over the limit of "
					+ maxResources + " (lactation-cds.prefetch.max-resources)");
		}
		String hookId = requiredText(root, "hook", "hook");
		if (!hookId.equals(serviceHook.id())) {
			throw CdsRequestException.badRequest(
					"hook '" + hookId + "' does not match this service, which answers '" + serviceHook.id() + "'");
		}
		String hookInstance = requiredText(root, "hookInstance", "hookInstance");
		if (!UUID.matcher(hookInstance).matches()) {
			throw CdsRequestException.badRequest("hookInstance must be a UUID");
		}
		Optional<URI> fhirServer = fhirServer(root);
		Optional<String> accessToken = accessToken(root, fhirServer);
		JsonNode context = root.get("context");
		if (context == null || !context.isObject()) {
			throw CdsRequestException.badRequest("context is required and must be an object");
		}
		return new CdsRequest(serviceHook, hookInstance, fhirServer, accessToken, context(context, serviceHook), prefetch(root));
	}

	private JsonNode readJson(String body) {
		if (body == null || body.isBlank()) {
			throw CdsRequestException.badRequest("the request body is empty: a CDS Hooks request is a JSON object");
		}
		// Before Jackson and HAPI: a 105-byte number such as 1e999999999 ran the JVM out of memory in HAPI's parser.
		InputCheck.body(body.getBytes(StandardCharsets.UTF_8)).ifPresent(problem -> {
			throw CdsRequestException.badRequest("the request body is refused: " + problem);
		});
		try {
			return json.readTree(body);
		} catch (JsonProcessingException e) {
			throw CdsRequestException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
		}
	}

	private static Optional<URI> fhirServer(JsonNode root) {
		JsonNode node = root.get("fhirServer");
		if (node == null || node.isNull()) {
			return Optional.empty();
		}
		if (!node.isTextual()) {
			throw CdsRequestException.badRequest("fhirServer must be a URL string");
		}
		try {
			URI uri = new URI(node.asText());
			if (!uri.isAbsolute() || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
				throw CdsRequestException.badRequest("fhirServer must be an absolute http(s) URL");
			}
			return Optional.of(uri);
		} catch (URISyntaxException e) {
			throw CdsRequestException.badRequest("fhirServer is not a valid URL");
		}
	}

	private static Optional<String> accessToken(JsonNode root, Optional<URI> fhirServer) {
		JsonNode authorization = root.get("fhirAuthorization");
		if (authorization == null || authorization.isNull()) {
			return Optional.empty();
		}
		if (fhirServer.isEmpty()) {
			throw CdsRequestException.badRequest("fhirAuthorization requires fhirServer (CDS Hooks invariant cds-r-1)");
		}
		if (!authorization.isObject()) {
			throw CdsRequestException.badRequest("fhirAuthorization must be an object");
		}
		String token = requiredText(authorization, "access_token", "fhirAuthorization.access_token");
		String tokenType = requiredText(authorization, "token_type", "fhirAuthorization.token_type");
		if (!"Bearer".equalsIgnoreCase(tokenType)) {
			throw CdsRequestException.badRequest("fhirAuthorization.token_type must be Bearer");
		}
		return Optional.of(token);
	}

	private CdsRequest.Context context(JsonNode context, Hook hook) {
		String patientId = requiredText(context, "patientId", "context.patientId");
		if (!FHIR_ID.matcher(patientId).matches()) {
			throw CdsRequestException.badRequest("context.patientId must be a bare FHIR id (Patient.id), got '" + patientId + "'");
		}
		String userId = requiredText(context, "userId", "context.userId");
		var user = REFERENCE.matcher(userId);
		Set<String> userTypes = hook.allowsPatientUser() ? PATIENT_VIEW_USER_TYPES : CLINICIAN_TYPES;
		if (!user.matches() || !userTypes.contains(user.group(1))) {
			throw CdsRequestException.badRequest("context.userId must be Type/id with Type one of " + userTypes
					+ ", got '" + userId + "'");
		}
		String encounterId = optionalText(context, "encounterId", "context.encounterId");
		if (hook.encounterRequired() && encounterId == null) {
			throw CdsRequestException.badRequest("context.encounterId is required for " + hook.id());
		}
		Bundle draftOrders = null;
		List<String> selections = null;
		if (hook.isOrderHook()) {
			draftOrders = draftOrders(context);
			if (hook == Hook.ORDER_SELECT) {
				selections = selections(context, draftOrders);
			}
		}
		return new CdsRequest.Context(patientId, userId, encounterId, draftOrders, selections);
	}

	private Bundle draftOrders(JsonNode context) {
		JsonNode node = context.get("draftOrders");
		if (node == null || !node.isObject()) {
			throw CdsRequestException.badRequest("context.draftOrders is required and must be a FHIR Bundle");
		}
		Resource resource = parseResource(node, "context.draftOrders");
		if (!(resource instanceof Bundle bundle)) {
			throw CdsRequestException.badRequest("context.draftOrders must be a FHIR Bundle, got " + resource.fhirType());
		}
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			if (!entry.hasResource() || !entry.getResource().getIdElement().hasIdPart()) {
				throw CdsRequestException.badRequest("every context.draftOrders entry needs a resource with an id");
			}
		}
		return bundle;
	}

	private static List<String> selections(JsonNode context, Bundle draftOrders) {
		JsonNode node = context.get("selections");
		if (node == null || !node.isArray() || node.isEmpty()) {
			throw CdsRequestException.badRequest("context.selections is required for order-select: a non-empty array of Type/id");
		}
		Set<String> drafts = draftOrders.getEntry().stream()
				.map(entry -> entry.getResource().fhirType() + "/" + entry.getResource().getIdElement().getIdPart())
				.collect(Collectors.toSet());
		List<String> selections = new ArrayList<>();
		for (JsonNode selection : node) {
			if (!selection.isTextual() || !drafts.contains(selection.asText())) {
				throw CdsRequestException.badRequest("context.selections must name draft orders in context.draftOrders (Type/id), "
						+ "not " + selection);
			}
			selections.add(selection.asText());
		}
		return selections;
	}

	private Map<String, JsonNode> prefetch(JsonNode root) {
		JsonNode node = root.get("prefetch");
		if (node == null || node.isNull()) {
			return Map.of();
		}
		if (!node.isObject()) {
			throw CdsRequestException.badRequest("prefetch must be an object of key -> FHIR resource or null");
		}
		Map<String, JsonNode> prefetch = new LinkedHashMap<>();
		for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
			Map.Entry<String, JsonNode> field = fields.next();
			JsonNode value = field.getValue();
			if (!value.isNull() && !(value.isObject() && value.hasNonNull("resourceType"))) {
				throw CdsRequestException.badRequest("prefetch." + field.getKey() + " must be a FHIR resource or null");
			}
			prefetch.put(field.getKey(), value);
		}
		return prefetch;
	}

	/**
	 * A FHIR resource in the request; a 400 naming where it sits when it does not parse. HAPI's parser reads the JSON
	 * tree already parsed here (writing it out to parse it again cost 6 % of a patient-view call with prefetch).
	 */
	public Resource parseResource(JsonNode node, String where) {
		if (!(node instanceof ObjectNode object)) {
			throw CdsRequestException.badRequest(where + " is not a valid FHIR R4 resource: not a JSON object");
		}
		try {
			JacksonStructure tree = new JacksonStructure();
			tree.setNativeObject(object);
			return (Resource) ((IJsonLikeParser) fhirContext.newJsonParser()).parseResource(tree);
		} catch (DataFormatException | ClassCastException e) {
			throw CdsRequestException.badRequest(where + " is not a valid FHIR R4 resource: " + e.getMessage());
		} catch (RuntimeException e) {
			// HAPI's parser fails on some malformed input with an NPE (e.g. a Bundle entry "resource": null)
			throw CdsRequestException.badRequest(where + " is not a valid FHIR R4 resource");
		}
	}

	private static String requiredText(JsonNode parent, String field, String name) {
		String value = optionalText(parent, field, name);
		if (value == null) {
			throw CdsRequestException.badRequest(name + " is required");
		}
		return value;
	}

	private static String optionalText(JsonNode parent, String field, String name) {
		JsonNode node = parent.get(field);
		if (node == null || node.isNull()) {
			return null;
		}
		if (!node.isTextual() || node.asText().isBlank()) {
			throw CdsRequestException.badRequest(name + " must be a non-empty string");
		}
		return node.asText();
	}
}
