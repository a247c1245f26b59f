package org.lactationcds.fhir;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.RequestValidatingInterceptor;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.EnumSet;
import java.util.Set;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;

/**
 * Rejects writes that break the R4 base specification (a missing required element, an unknown element that would
 * otherwise be dropped silently, a broken invariant) with 422 and an OperationOutcome, before they reach storage.
 *
 * <p>HAPI's {@link RequestValidatingInterceptor} validates every request that has a body; operations such as
 * {@code $validate} carry resources that are meant to be invalid, so only writes are handed to it. Its validator
 * is structural: codes of required bindings are already checked by the parser, and looking up every LOINC or SNOMED
 * code in the terminology tables would cost a query per code on the ingest path. {@code $validate} keeps HAPI's
 * full validator, terminology and best-practice advice included.
 */
@Interceptor
class WriteValidationInterceptor {

	private static final Set<RestOperationTypeEnum> WRITES = EnumSet.of(
			RestOperationTypeEnum.CREATE,
			RestOperationTypeEnum.UPDATE,
			RestOperationTypeEnum.TRANSACTION,
			RestOperationTypeEnum.BATCH);

	private final RequestValidatingInterceptor validator = new RequestValidatingInterceptor();

	WriteValidationInterceptor(IValidationSupport validationSupport) {
		FhirInstanceValidator structural = new PooledInstanceValidator(validationSupport);
		structural.setNoTerminologyChecks(true);
		structural.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
		validator.addValidatorModule(structural);
		validator.setFailOnSeverity(ResultSeverityEnum.ERROR);
		// A body the validator cannot parse is left to HAPI's parser, which answers 400 with an OperationOutcome.
		validator.setIgnoreValidatorExceptions(true);
		validator.setAddResponseHeaderOnSeverity(null);
		validator.setResponseHeaderValueNoIssues(null);
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean validateWrites(RequestDetails request, HttpServletRequest servletRequest, HttpServletResponse response) {
		if (!WRITES.contains(request.getRestOperationType())) {
			return true;
		}
		return validator.incomingRequestPostProcessed(request, servletRequest, response);
	}
}
