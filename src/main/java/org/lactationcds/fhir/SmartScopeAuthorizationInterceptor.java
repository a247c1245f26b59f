package org.lactationcds.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.interceptor.auth.CompartmentSearchParameterModifications;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationFlagsEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilder;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOp;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOpClassifier;
import ca.uhn.fhir.rest.server.interceptor.auth.IRuleApplier;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Questionnaire;
import org.lactationcds.caller.Caller;
import org.lactationcds.caller.Permissions;
import org.lactationcds.security.SmartScope;

/**
 * What a bearer token's SMART v2 scopes allow, as HAPI authorization rules; everything else is denied (403 with an
 * OperationOutcome). The token itself was checked by Spring Security.
 *
 * <ul>
 *   <li>Letters as SMART v2 defines them: {@code c} create (also an update that would create), {@code r} read and
 *       vread, {@code u} update, {@code d} delete, {@code s} search; {@code .u} never creates, {@code .s} never reads
 *       by id, {@code .r} never searches.
 *   <li>{@code system/}: any instance of the type. {@code user/}: this server does not know which patients a user
 *       may see (no care-team or assignment data is kept), so {@code user/} scopes grant nothing on patient data (the
 *       types of the Patient compartment, and Patient); they grant only on other types.
 *   <li>{@code patient/}: only data whose patient is the token's {@code patient}: the resource's {@code patient} or
 *       {@code subject} per the Patient CompartmentDefinition (an Observation whose {@code performer} is the patient
 *       but whose subject is another is not hers). A search must itself be restricted to that patient (its
 *       {@code patient}/{@code subject} parameter, {@code _id} for Patient, naming her and no one else), otherwise it
 *       is refused before it runs, so counts ({@code _summary=count}, {@code _count=0}) cannot reveal other patients;
 *       resources a search returns or includes are checked again on the way out.
 *   <li>Transactions and batches: each entry against the same rules. {@code PlanDefinition/$apply}: with a
 *       {@code system/} scope reading PlanDefinition and one reading Patient data.
 *       {@code Questionnaire/$populate}: with {@code system/} scopes reading Patient and Observation.
 * </ul>
 */
@Interceptor
class SmartScopeAuthorizationInterceptor extends AuthorizationInterceptor {

	private static final Set<RestOperationTypeEnum> READ = EnumSet.of(
			RestOperationTypeEnum.READ, RestOperationTypeEnum.VREAD, RestOperationTypeEnum.HISTORY_INSTANCE,
			RestOperationTypeEnum.GET_PAGE);
	private static final Set<RestOperationTypeEnum> SEARCH = EnumSet.of(
			RestOperationTypeEnum.SEARCH_TYPE, RestOperationTypeEnum.SEARCH_SYSTEM, RestOperationTypeEnum.HISTORY_TYPE,
			RestOperationTypeEnum.GET_PAGE);

	/** The types that hold a patient's data: Patient and every type of the Patient compartment. */
	private final Set<String> patientDataTypes;
	/** The Patient compartment narrowed to each type's patient/subject parameter. */
	private final CompartmentSearchParameterModifications patientOwnership;

	SmartScopeAuthorizationInterceptor(FhirContext fhir) {
		Set<String> types = new HashSet<>();
		CompartmentSearchParameterModifications modifications = new CompartmentSearchParameterModifications();
		for (String type : fhir.getResourceTypes()) {
			RuntimeResourceDefinition definition = fhir.getResourceDefinition(type);
			List<RuntimeSearchParam> compartment = definition.getSearchParamsForCompartmentName("Patient");
			if (!compartment.isEmpty() || type.equals("Patient")) {
				types.add(type);
			}
			for (RuntimeSearchParam param : compartment) {
				if (!isPatientParam(param.getName())) {
					modifications.addSPToOmitFromCompartment(type, param.getName());
				}
			}
		}
		this.patientDataTypes = Set.copyOf(types);
		this.patientOwnership = modifications;
	}

	private static boolean isPatientParam(String name) {
		return name.equals("patient") || name.equals("subject");
	}

	@Override
	public List<IAuthRule> buildRuleList(RequestDetails request) {
		IAuthRuleBuilder rules = new RuleBuilder().allow("metadata").metadata().andThen();
		Caller caller = Caller.current();
		if (!caller.authenticated()) {
			return rules.denyAll("no bearer token").build();
		}
		String patient = caller.patient();
		List<SmartScope> scopes = caller.scopes().stream().map(SmartScope::parse).flatMap(Optional::stream).toList();
		Optional<String> refusal = searchRefusal(request, scopes, patient);
		if (refusal.isPresent()) {
			return rules.denyAll(refusal.get()).build();
		}
		List<IAuthRule> granted = new ArrayList<>();
		for (SmartScope scope : scopes) {
			if (scope.level().equals("patient") && patient == null) {
				continue; // a patient scope without the patient it is for grants nothing
			}
			if (scope.allows('r') || scope.allows('s')) {
				Set<RestOperationTypeEnum> ops = EnumSet.noneOf(RestOperationTypeEnum.class);
				if (scope.allows('r')) {
					ops.addAll(READ);
				}
				if (scope.allows('s')) {
					ops.addAll(SEARCH);
				}
				granted.addAll(limited(target(new RuleBuilder().allow(scope.toString()).read(), scope, patient), scope, ops));
			}
			if (scope.allows('c')) {
				granted.addAll(limited(target(new RuleBuilder().allow(scope.toString()).create(), scope, patient), scope,
						EnumSet.of(RestOperationTypeEnum.CREATE)));
			}
			if (scope.allows('u')) {
				granted.addAll(limited(target(new RuleBuilder().allow(scope.toString()).write(), scope, patient), scope,
						EnumSet.of(RestOperationTypeEnum.UPDATE)));
			}
			if (scope.allows('d')) {
				granted.addAll(limited(target(new RuleBuilder().allow(scope.toString()).delete(), scope, patient), scope,
						EnumSet.of(RestOperationTypeEnum.DELETE)));
			}
		}
		if (mayApply(scopes)) {
			rules = rules.allow("$apply").operation().named("$apply").onInstancesOfType(PlanDefinition.class)
					.andAllowAllResponses().andThen();
		}
		if (mayPopulate(scopes)) {
			rules = rules.allow("$populate").operation().named("$populate").onInstancesOfType(Questionnaire.class)
					.andAllowAllResponses().andThen();
		}
		granted.addAll(knowledgeRules(caller));
		List<IAuthRule> list = new ArrayList<>(rules.build());
		list.addAll(granted);
		if (!granted.isEmpty()) {
			// A transaction or batch is allowed as a container; each entry is checked against the rules above.
			list.addAll(new RuleBuilder().allow("transaction").transaction().withAnyOperation().andApplyNormalRules().build());
		}
		list.addAll(new RuleBuilder().denyAll("the token's scopes do not allow this").build());
		return list;
	}

	/**
	 * The publisher's and the auditor's permissions, which no SMART resource scope grants: knowledge writes (checked
	 * further by the governance's publish check) and the knowledge operations.
	 */
	private static List<IAuthRule> knowledgeRules(Caller caller) {
		boolean publisher = caller.has(Permissions.PUBLISH_KNOWLEDGE);
		IAuthRuleBuilder rules = new RuleBuilder();
		if (publisher || caller.has(Permissions.READ_AUDIT)) {
			rules.allow(Permissions.STATUS_OPERATION).operation().named(Permissions.STATUS_OPERATION).onServer().andAllowAllResponses();
		}
		if (publisher) {
			for (String type : Permissions.KNOWLEDGE_TYPES) {
				rules.allow(Permissions.PUBLISH_KNOWLEDGE).read().resourcesOfType(type).withAnyId();
				rules.allow(Permissions.PUBLISH_KNOWLEDGE).write().resourcesOfType(type).withAnyId();
				rules.allow(Permissions.PUBLISH_KNOWLEDGE).create().resourcesOfType(type).withAnyId();
				rules.allow(Permissions.PUBLISH_KNOWLEDGE).delete().resourcesOfType(type).withAnyId();
			}
			rules.allow(Permissions.ROLLBACK_OPERATION).operation().named(Permissions.ROLLBACK_OPERATION).onServer().andAllowAllResponses();
		}
		return rules.build();
	}

	private List<IAuthRule> target(IAuthRuleBuilderRuleOp operation, SmartScope scope, String patient) {
		IAuthRuleBuilderRuleOpClassifier target =
				scope.resourceType().equals("*") ? operation.allResources() : operation.resourcesOfType(scope.resourceType());
		if (scope.level().equals("patient")) {
			return target.inModifiedCompartment("Patient", new IdType("Patient", patient), patientOwnership).build();
		}
		return target.withAnyId().build();
	}

	/** Each rule applies only to the operations its scope letters name, and a user/ rule never to patient data. */
	private List<IAuthRule> limited(List<IAuthRule> rules, SmartScope scope, Set<RestOperationTypeEnum> operations) {
		boolean user = scope.level().equals("user");
		return rules.stream().map(rule -> (IAuthRule) new LimitedRule(rule, operations, user ? patientDataTypes : Set.of())).toList();
	}

	/**
	 * A patient-scoped search must name its patient, and only her; refused before it runs otherwise. Tokens whose
	 * system/ scopes already allow the search are not restricted.
	 */
	private Optional<String> searchRefusal(RequestDetails request, List<SmartScope> scopes, String patient) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (operation != RestOperationTypeEnum.SEARCH_TYPE && operation != RestOperationTypeEnum.SEARCH_SYSTEM
				&& operation != RestOperationTypeEnum.HISTORY_TYPE) {
			return Optional.empty();
		}
		String type = request.getResourceName();
		boolean broad = scopes.stream().anyMatch(scope -> scope.allows('s') && !scope.level().equals("patient")
				&& (scope.level().equals("system") || type == null || !patientDataTypes.contains(type))
				&& (scope.resourceType().equals("*") || scope.resourceType().equals(type)));
		if (broad || patient == null || type == null || !patientDataTypes.contains(type)) {
			return Optional.empty(); // no patient scope decides it: the normal rules allow or deny the search
		}
		if (operation != RestOperationTypeEnum.SEARCH_TYPE || !restrictedTo(request.getParameters(), type, patient)) {
			return Optional.of("a patient-scoped search must be restricted to the token's patient");
		}
		return Optional.empty();
	}

	static boolean restrictedTo(Map<String, String[]> parameters, String type, String patient) {
		Set<String> names = type.equals("Patient") ? Set.of("_id") : Set.of("patient", "patient:Patient", "subject:Patient", "subject");
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			if (!names.contains(parameter.getKey())) {
				continue;
			}
			boolean typed = !parameter.getKey().equals("subject");
			for (String value : parameter.getValue()) {
				if (onlyPatient(value, patient, typed)) {
					return true; // parameters are ANDed: one occurrence naming only her restricts the whole search
				}
			}
		}
		return false;
	}

	private static boolean onlyPatient(String value, String patient, boolean typed) {
		for (String each : value.split(",", -1)) {
			String id = each.trim();
			if (id.contains("/")) {
				IdType reference = new IdType(id);
				if (!"Patient".equals(reference.getResourceType())) {
					return false;
				}
				id = reference.getIdPart();
			} else if (!typed) {
				return false; // subject=<id> could name a Group or a Device with that id
			}
			if (!patient.equals(id)) {
				return false;
			}
		}
		return true;
	}

	private static boolean mayApply(List<SmartScope> scopes) {
		return scopes.stream().anyMatch(scope -> scope.level().equals("system") && scope.allows('r')
						&& (scope.resourceType().equals("*") || scope.resourceType().equals("PlanDefinition")))
				&& scopes.stream().anyMatch(scope -> scope.level().equals("system") && scope.allows('r')
						&& (scope.resourceType().equals("*") || scope.resourceType().equals("Patient")));
	}

	/**
	 * {@code Questionnaire/[id]/$populate} reads the subject's Patient, her mother's and the infant's Observations: it is
	 * allowed only with {@code system/} scopes reading Patient and Observation. A {@code patient/} token is refused, as
	 * the answer names the other member of the dyad.
	 */
	private static boolean mayPopulate(List<SmartScope> scopes) {
		return systemReads(scopes, "Patient") && systemReads(scopes, "Observation");
	}

	private static boolean systemReads(List<SmartScope> scopes, String type) {
		return scopes.stream().anyMatch(scope -> scope.level().equals("system") && scope.allows('r')
				&& (scope.resourceType().equals("*") || scope.resourceType().equals(type)));
	}

	/** A HAPI rule narrowed to some operations, and kept off some resource types. */
	private record LimitedRule(IAuthRule delegate, Set<RestOperationTypeEnum> operations, Set<String> excludedTypes)
			implements IAuthRule {

		@Override
		public Verdict applyRule(
				RestOperationTypeEnum operation,
				RequestDetails request,
				IBaseResource input,
				IIdType inputId,
				IBaseResource output,
				IRuleApplier applier,
				Set<AuthorizationFlagsEnum> flags,
				Pointcut pointcut) {
			if (!operations.contains(operation) || excludedTypes.contains(typeOf(request, input, inputId, output))) {
				return null;
			}
			return delegate.applyRule(operation, request, input, inputId, output, applier, flags, pointcut);
		}

		@Override
		public String getName() {
			return delegate.getName();
		}

		private static String typeOf(RequestDetails request, IBaseResource input, IIdType inputId, IBaseResource output) {
			if (input != null) {
				return input.fhirType();
			}
			if (output != null) {
				return output.fhirType();
			}
			if (inputId != null && inputId.hasResourceType()) {
				return inputId.getResourceType();
			}
			return request.getResourceName();
		}
	}
}
