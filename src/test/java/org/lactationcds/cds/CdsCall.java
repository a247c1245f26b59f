package org.lactationcds.cds;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.lactationcds.support.FhirTestClient;

/** Builds and sends a CDS Hooks request in tests. */
final class CdsCall {

	static final ObjectMapper JSON = new ObjectMapper();
	static final FhirContext FHIR = FhirContext.forR4Cached();

	private final ObjectNode body = JSON.createObjectNode();
	private final ObjectNode context;

	private CdsCall(String hook, String patientId) {
		body.put("hookInstance", UUID.randomUUID().toString());
		body.put("hook", hook);
		context = body.putObject("context");
		context.put("userId", "Practitioner/example");
		context.put("patientId", patientId);
		if (hook.startsWith("encounter-")) {
			context.put("encounterId", "enc-1");
		}
	}

	static CdsCall of(String hook, String patientId) {
		return new CdsCall(hook, patientId);
	}

	CdsCall draftOrders(Bundle orders) {
		context.set("draftOrders", fhirJson(orders));
		return this;
	}

	CdsCall selections(List<String> selections) {
		ArrayNode array = context.putArray("selections");
		selections.forEach(array::add);
		return this;
	}

	CdsCall prefetch(String key, Resource resource) {
		((ObjectNode) body.with("prefetch")).set(key, resource == null ? JSON.nullNode() : fhirJson(resource));
		return this;
	}

	CdsCall fhirServer(String url, String accessToken) {
		body.put("fhirServer", url);
		if (accessToken != null) {
			ObjectNode authorization = body.putObject("fhirAuthorization");
			authorization.put("access_token", accessToken);
			authorization.put("token_type", "Bearer");
			authorization.put("expires_in", 300);
			authorization.put("scope", "patient/*.read");
			authorization.put("subject", "lactation-cds");
		}
		return this;
	}

	ObjectNode body() {
		return body;
	}

	HttpResponse<String> send(FhirTestClient client, String service) {
		return client.post("/cds-services/" + service, "application/json", body.toString());
	}

	static JsonNode fhirJson(Resource resource) {
		return read(FHIR.newJsonParser().encodeResourceToString(resource));
	}

	static JsonNode read(String json) {
		try {
			return JSON.readTree(json);
		} catch (IOException e) {
			throw new IllegalStateException("not JSON: " + json, e);
		}
	}
}
