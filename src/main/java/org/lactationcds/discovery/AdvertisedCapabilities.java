package org.lactationcds.discovery;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestSecurityComponent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;

/**
 * What the FHIR server tells its clients it offers. HAPI's JPA server brings database maintenance operations
 * (expunge, reindexing, resource counts, reference rewriting, merge); they are for the people who run the server, not
 * for clinics, EHRs or apps, so they are left out of the CapabilityStatement and refused (403) over REST. With OAuth2
 * issuers configured, {@code rest.security} says how to authorize: the SMART-on-FHIR service and the authorization
 * server's endpoints (the {@code oauth-uris} extension), the same as {@code .well-known/smart-configuration}.
 */
@Interceptor
public final class AdvertisedCapabilities {

	/** HAPI's administrative operations, by name without the {@code $}. */
	static final Set<String> ADMINISTRATIVE = Set.of(
			"expunge",
			"mark-all-resources-for-reindexing",
			"perform-reindexing-pass",
			"reindex",
			"reindex-dryrun",
			"reindex-terminology",
			"get-resource-counts",
			"hapi.fhir.replace-references",
			"hapi.fhir.undo-replace-references",
			"hapi.fhir.merge",
			"hapi.fhir.undo-merge");

	static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";
	static final String SECURITY_SERVICE = "http://terminology.hl7.org/CodeSystem/restful-security-service";

	private final boolean cors;
	private final boolean smartOnFhir;
	private final Map<String, Object> smart;

	/**
	 * @param cors whether browser origins are allowed (CORS headers are sent)
	 * @param smartOnFhir whether /fhir takes OAuth2 bearer tokens with SMART scopes
	 * @param smart the SMART configuration document (empty when not configured)
	 */
	AdvertisedCapabilities(boolean cors, boolean smartOnFhir, Map<String, Object> smart) {
		this.cors = cors;
		this.smartOnFhir = smartOnFhir;
		this.smart = Map.copyOf(smart);
	}

	/** Refused before HAPI looks for the method, whoever asks: no client of this server needs them. */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void refuseAdministrativeOperations(RequestDetails request) {
		String operation = request.getOperation();
		if (operation != null && operation.startsWith("$") && ADMINISTRATIVE.contains(operation.substring(1))) {
			throw new ForbiddenOperationException(operation + " is an administrative operation and is not offered over this API");
		}
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void describe(IBaseConformance generated) {
		CapabilityStatement capabilities = (CapabilityStatement) generated;
		for (CapabilityStatementRestComponent rest : capabilities.getRest()) {
			rest.getOperation().removeIf(operation -> ADMINISTRATIVE.contains(operation.getName()));
			rest.getResource().forEach(resource ->
					resource.getOperation().removeIf(operation -> ADMINISTRATIVE.contains(operation.getName())));
			describeSecurity(rest.getSecurity());
		}
	}

	private void describeSecurity(CapabilityStatementRestSecurityComponent security) {
		security.setCors(cors);
		if (!smartOnFhir) {
			return;
		}
		security.addService()
				.addCoding(new Coding(SECURITY_SERVICE, "SMART-on-FHIR", "SMART-on-FHIR"))
				.setText("OAuth2 bearer tokens with SMART on FHIR scopes");
		security.setDescription("Every request but metadata and .well-known/smart-configuration needs an OAuth2 bearer token; its "
				+ "SMART scopes (v1 or v2) decide what it may read and write.");
		if (smart.isEmpty()) {
			return;
		}
		Extension uris = new Extension(OAUTH_URIS);
		uri(uris, "authorize", "authorization_endpoint");
		uri(uris, "token", "token_endpoint");
		uri(uris, "register", "registration_endpoint");
		uri(uris, "manage", "management_endpoint");
		uri(uris, "introspect", "introspection_endpoint");
		uri(uris, "revoke", "revocation_endpoint");
		security.addExtension(uris);
	}

	private void uri(Extension uris, String name, String key) {
		Object value = smart.get(key);
		if (value != null) {
			uris.addExtension(name, new UriType(value.toString()));
		}
	}
}
