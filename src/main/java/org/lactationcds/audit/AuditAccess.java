package org.lactationcds.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.lactationcds.caller.Caller;
import org.lactationcds.caller.Permissions;

/**
 * Who may see the audit trail: when FHIR REST is authenticated, only a token carrying {@value Permissions#READ_AUDIT}
 * itself (a wildcard such as {@code system/*.rs} is not enough: an audit trail is read by auditors, not by every
 * system client). Nobody writes, changes or deletes an AuditEvent through FHIR REST, in any mode. AuditEvents are also
 * removed from what any other read returns ({@code _include}, {@code _revinclude}, history, system search) for callers
 * who are not auditors.
 */
@Interceptor
final class AuditAccess {

	private static final String AUDIT_EVENT = "AuditEvent";
	private static final Set<RestOperationTypeEnum> WRITES = Set.of(
			RestOperationTypeEnum.CREATE, RestOperationTypeEnum.UPDATE, RestOperationTypeEnum.DELETE,
			RestOperationTypeEnum.PATCH, RestOperationTypeEnum.META_ADD, RestOperationTypeEnum.META_DELETE);

	private final boolean authenticated;

	AuditAccess(boolean authenticated) {
		this.authenticated = authenticated;
	}

	/** Before the body is validated: an unauthorized caller learns nothing from the answer (403, not 422). */
	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = -100)
	public void incoming(RequestDetails request) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (!AUDIT_EVENT.equals(request.getResourceName())) {
			return;
		}
		if (WRITES.contains(operation)) {
			throw new ForbiddenOperationException("The audit trail is written by the server only");
		}
		if (!auditor()) {
			throw new ForbiddenOperationException("Reading the audit trail needs the scope " + Permissions.READ_AUDIT);
		}
	}

	/** AuditEvents in a transaction or batch: refused like a direct write. */
	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void creating(IBaseResource resource) {
		refuseAuditEvent(resource);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void updating(IBaseResource previous, IBaseResource resource) {
		refuseAuditEvent(previous);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED)
	public void deleting(IBaseResource resource) {
		refuseAuditEvent(resource);
	}

	@Hook(Pointcut.STORAGE_PRESHOW_RESOURCES)
	public void showing(IPreResourceShowDetails details) {
		if (auditor()) {
			return;
		}
		for (int i = 0; i < details.size(); i++) {
			IBaseResource resource = details.getResource(i);
			if (resource != null && AUDIT_EVENT.equals(resource.fhirType())) {
				details.setResource(i, null);
			}
		}
	}

	private static void refuseAuditEvent(IBaseResource resource) {
		if (resource != null && AUDIT_EVENT.equals(resource.fhirType())) {
			throw new ForbiddenOperationException("The audit trail is written by the server only");
		}
	}

	private boolean auditor() {
		return !authenticated || Caller.current().has(Permissions.READ_AUDIT);
	}
}
