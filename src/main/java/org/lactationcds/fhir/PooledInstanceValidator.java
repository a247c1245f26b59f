package org.lactationcds.fhir;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.validation.IValidationContext;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r5.context.IWorkerContext;
import org.hl7.fhir.r5.elementmodel.Manager.FhirFormat;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.i18n.I18nConstants;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.utilities.validation.ValidationMessage.IssueSeverity;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.instance.InstanceValidator;

/**
 * HAPI's instance validator with its {@link InstanceValidator}s reused across JSON validations.
 *
 * <p>HAPI 8.8.0 builds a new {@code InstanceValidator} for every validation, and its constructor (validator 6.7.9)
 * parses a 1.5 MB OID registry and builds a FHIRPath engine and profile utilities: 22 % of the server's CPU while
 * ingesting clinic visits, more than the validation itself. An {@code InstanceValidator} clears its per-run state at
 * the start of each validation (its main entry point says so), so one instance per concurrent request, kept in a
 * small pool, gives the same messages at a fraction of the cost. XML bodies take HAPI's own path.
 */
class PooledInstanceValidator extends FhirInstanceValidator {

	/** Bodies above this size do not go back to the pool: an idle validator keeps its last parse until reused. */
	private static final int POOLED_BODY_LIMIT = 1 << 20;

	private static final ObjectMapper JSON = new ObjectMapper();

	private final BlockingQueue<InstanceValidator> idle =
			new ArrayBlockingQueue<>(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));

	PooledInstanceValidator(IValidationSupport validationSupport) {
		super(validationSupport);
	}

	@Override
	protected List<ValidationMessage> validate(IValidationContext<?> context) {
		if (context.getResourceAsStringEncoding() != EncodingEnum.JSON) {
			return super.validate(context);
		}
		IWorkerContext worker = provideWorkerContext();
		String body = context.getResourceAsString();
		List<StructureDefinition> profiles = declaredProfiles(worker, body);
		List<ValidationMessage> messages = new ArrayList<>();
		InstanceValidator validator = take(worker);
		validator.validate(
				context.getOptions().getAppContext(),
				messages,
				new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
				FhirFormat.JSON,
				profiles);
		validator.validatedContent = null;
		if (body.length() <= POOLED_BODY_LIMIT) {
			idle.offer(validator);
		}
		messages.removeIf(m -> I18nConstants.TERMINOLOGY_TX_BINDING_NOSOURCE.equals(m.getMessageId()));
		for (ValidationMessage message : messages) {
			if (isUnknownProfile(message)) {
				message.setLevel(isErrorForUnknownProfiles() ? IssueSeverity.ERROR : IssueSeverity.WARNING);
			}
		}
		return messages;
	}

	private InstanceValidator take(IWorkerContext worker) {
		InstanceValidator validator = idle.poll();
		while (validator != null && validator.getContext() != worker) {
			validator = idle.poll();
		}
		return validator != null ? validator : newInstanceValidator(worker);
	}

	private InstanceValidator newInstanceValidator(IWorkerContext worker) {
		InstanceValidator validator;
		try {
			validator = new InstanceValidator(
					worker,
					getHostApplicationServices() != null ? getHostApplicationServices() : new NullEvaluationContext(),
					new XVerExtensionManagerOld(worker),
					new ValidatorSession(),
					new ValidatorSettings());
		} catch (Exception e) {
			throw new IllegalStateException("The FHIR instance validator could not be built: " + e.getMessage(), e);
		}
		validator.setAssumeValidRestReferences(isAssumeValidRestReferences());
		validator.setBestPracticeWarningLevel(getBestPracticeWarningLevel());
		validator.setAnyExtensionsAllowed(isAnyExtensionsAllowed());
		validator.setResourceIdRule(IdStatus.OPTIONAL);
		validator.setNoTerminologyChecks(isNoTerminologyChecks());
		validator.setErrorForUnknownProfiles(isErrorForUnknownProfiles());
		validator.setUnknownCodeSystemsCauseErrors(true);
		validator.getExtensionDomains().addAll(getExtensionDomains());
		validator.setFetcher(getValidatorResourceFetcher());
		validator.setPolicyAdvisor(getValidatorPolicyAdvisor());
		validator.setNoExtensibleWarnings(isNoExtensibleWarnings());
		validator.setNoBindingMsgSuppressed(isNoBindingMsgSuppressed());
		validator.setAllowExamples(isAllowExamples());
		return validator;
	}

	/** The profiles in the body's meta.profile, which the resource is validated against as HAPI does. */
	private static List<StructureDefinition> declaredProfiles(IWorkerContext worker, String body) {
		JsonNode declared;
		try {
			declared = JSON.readTree(body).path("meta").path("profile");
		} catch (JsonProcessingException e) {
			// Not JSON: HAPI's parser answers it with 400 and an OperationOutcome (the interceptor ignores this).
			throw new IllegalArgumentException("The body is not valid JSON", e);
		}
		List<StructureDefinition> profiles = new ArrayList<>();
		for (JsonNode url : declared) {
			StructureDefinition profile = worker.fetchResource(StructureDefinition.class, url.asText());
			if (profile != null) {
				profiles.add(profile);
			}
		}
		return profiles;
	}

	private static boolean isUnknownProfile(ValidationMessage message) {
		return I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN.equals(message.getMessageId())
				|| I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY.equals(message.getMessageId());
	}
}
