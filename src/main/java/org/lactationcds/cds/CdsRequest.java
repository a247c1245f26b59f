package org.lactationcds.cds;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;

/**
 * A validated CDS Hooks request.
 *
 * @param hook the hook, the one the called service answers
 * @param hookInstance the caller's UUID for this hook firing (logged with every problem)
 * @param fhirServer the EHR's FHIR base, when given: missing data is fetched from it
 * @param accessToken {@code fhirAuthorization.access_token}, sent as bearer to {@code fhirServer}; never logged
 * @param context the hook context
 * @param prefetch the prefetch as sent: absent key = not sent, JSON null = no data
 */
public record CdsRequest(
		Hook hook,
		String hookInstance,
		Optional<URI> fhirServer,
		Optional<String> accessToken,
		Context context,
		Map<String, JsonNode> prefetch) {

	/**
	 * The hook context fields the service uses.
	 *
	 * @param patientId the patient in context (a bare id)
	 * @param userId the user, {@code Type/id}
	 * @param encounterId the encounter, if any
	 * @param draftOrders order hooks: the draft orders (a Bundle), else empty
	 * @param selections order-select: the selected draft orders ({@code Type/id}); null when the hook has none
	 */
	public record Context(
			String patientId, String userId, String encounterId, Bundle draftOrders, List<String> selections) {

		/** The value of a context field for a prefetch token ({@code {{context.X}}}); null when absent. */
		public String tokenValue(String field) {
			return switch (field) {
				case "patientId" -> patientId;
				case "userId" -> userId;
				case "encounterId" -> encounterId;
				default -> null;
			};
		}
	}

	@Override
	public String toString() {
		// The access token is transient and secret: never in logs.
		return "CdsRequest[hook=" + hook.id() + ", hookInstance=" + hookInstance + ", patientId=" + context.patientId() + "]";
	}
}
