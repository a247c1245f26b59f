package org.lactationcds.audit;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.storage.interceptor.balp.IBalpAuditContextServices;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.lactationcds.caller.Caller;

/** Who made an audited FHIR request, as BALP's agents: the token's client and subject (issuer-qualified). */
final class AuditContext implements IBalpAuditContextServices {

	@Override
	public Reference getAgentClientWho(RequestDetails request) {
		return who(Caller.current());
	}

	@Override
	public Reference getAgentUserWho(RequestDetails request) {
		return who(Caller.current());
	}

	/**
	 * Relative {@code Type/id}, not HAPI's default absolute URL: the events of all instances behind a load balancer
	 * then name a resource alike, and {@code AuditEvent?patient=Patient/x} finds them all.
	 */
	@Override
	public String massageResourceIdForStorage(RequestDetails request, IBaseResource resource, IIdType id) {
		return id.toUnqualifiedVersionless().getValue();
	}

	static Reference who(Caller caller) {
		if (!caller.authenticated()) {
			return new Reference().setDisplay(caller.name());
		}
		return new Reference()
				.setIdentifier(new Identifier().setSystem(caller.issuer()).setValue(caller.client()))
				.setDisplay(caller.name());
	}
}
