package org.lactationcds.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import java.util.Set;
import org.lactationcds.caller.Caller;

/**
 * Records every FHIR operation ({@code $apply}, {@code $knowledge-status}, ...) before its answer is sent (HAPI's BALP
 * interceptor covers reads, searches and writes, not operations). The patient is the instance the operation runs on,
 * or its {@code subject} parameter.
 */
@Interceptor
final class OperationAudit {

	private static final Set<RestOperationTypeEnum> OPERATIONS = Set.of(
			RestOperationTypeEnum.EXTENDED_OPERATION_SERVER,
			RestOperationTypeEnum.EXTENDED_OPERATION_TYPE,
			RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE);

	private final AuditTrail trail;

	OperationAudit(AuditTrail trail) {
		this.trail = trail;
	}

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public void answered(RequestDetails request, ResponseDetails response) {
		if (!OPERATIONS.contains(request.getRestOperationType())) {
			return;
		}
		String target = request.getId() != null && request.getId().hasIdPart()
				? request.getId().toUnqualifiedVersionless().getValue() + "/" + request.getOperation()
				: (request.getResourceName() == null ? "" : request.getResourceName() + "/") + request.getOperation();
		trail.operation(Caller.current(), request.getOperation(), target, patient(request), response.getResponseCode());
	}

	private static String patient(RequestDetails request) {
		if (request.getId() != null && "Patient".equals(request.getId().getResourceType())) {
			return "Patient/" + request.getId().getIdPart();
		}
		String[] subject = request.getParameters().get("subject");
		if (subject != null && subject.length > 0 && subject[0].startsWith("Patient/")) {
			return subject[0];
		}
		return null;
	}
}
