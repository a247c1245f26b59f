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
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;
import org.lactationcds.caller.Caller;
import org.lactationcds.caller.Permissions;
import org.lactationcds.dyad.DataUnavailableException;
import org.lactationcds.dyad.DyadAssembler;
import org.lactationcds.dyad.FhirDataSource;
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
 *       {@code QuestionnaireResponse/$submit-visit}: with {@code system/} scopes creating Observation and
 *       QuestionnaireResponse; what it reads (the Patients, the dyad link) is checked as a read and what it writes
 *       (the response, each Observation) as a create or update against the rules above, entry by entry.
 *   <li>With {@code lactation-cds.security.patient-scopes-cover-dyad} on (a site's security decision, off by
 *       default): a {@code patient/} token covers its patient and the dyad members linked to her
 *       ({@link DyadAssembler#membersAround}: an infant's mother, a mother's infants) wherever it would cover its
 *       patient alone: the rules' compartment owners, the patients a search may be restricted to. Such a token may
 *       also {@code $populate} for a subject in the dyad (its {@code patient/} scopes reading Patient and
 *       Observation) and {@code $submit-visit} (creating Observation and QuestionnaireResponse). The members are
 *       looked up once per request with the server's own reads of the dyad links; a lookup that fails covers the
 *       token's patient alone.
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
	/** Where the dyad links are read when patient scopes cover the dyad; null when they cover their own patient only. */
	private final FhirDataSource dyadLinks;

	SmartScopeAuthorizationInterceptor(FhirContext fhir) {
		this(fhir, null);
	}

	/** @param dyadLinks the server's own reads of dyad links, when patient scopes cover the dyad; null otherwise */
	SmartScopeAuthorizationInterceptor(FhirContext fhir, FhirDataSource dyadLinks) {
		this.dyadLinks = dyadLinks;
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
		Set<String> covered = covered(request, scopes, patient);
		Optional<String> refusal = searchRefusal(request, scopes, patient, covered);
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
				granted.addAll(limited(target(new RuleBuilder().allow(scope.toString()).read(), scope, covered), scope, ops));
			}
			if (scope.allows('c')) {
				granted.addAll(limited(target(new RuleBuilder().allow(scope.toString()).create(), scope, covered), scope,
						EnumSet.of(RestOperationTypeEnum.CREATE)));
			}
			if (scope.allows('u')) {
				granted.addAll(limited(target(new RuleBuilder().allow(scope.toString()).write(), scope, covered), scope,
						EnumSet.of(RestOperationTypeEnum.UPDATE)));
			}
			if (scope.allows('d')) {
				granted.addAll(limited(target(new RuleBuilder().allow(scope.toString()).delete(), scope, covered), scope,
						EnumSet.of(RestOperationTypeEnum.DELETE)));
			}
		}
		if (mayApply(scopes)) {
			rules = rules.allow("$apply").operation().named("$apply").onInstancesOfType(PlanDefinition.class)
					.andAllowAllResponses().andThen();
		}
		if (mayPopulate(scopes) || (dyadLinks != null && patient != null && mayPopulateFor(scopes, request, covered))) {
			rules = rules.allow("$populate").operation().named("$populate").onInstancesOfType(Questionnaire.class)
					.andAllowAllResponses().andThen();
		}
		if (maySubmitVisit(scopes, "system") || (dyadLinks != null && patient != null && maySubmitVisit(scopes, "patient"))) {
			// What the visit reads is checked as a read (ResponsesAsReads, first in the list), what it writes by the storage
			// hooks against the create/update rules: a visit for another dyad's patients is refused, and nothing stored.
			rules = rules.allow("$submit-visit").operation().named("$submit-visit").onType(QuestionnaireResponse.class)
					.andRequireExplicitResponseAuthorization().andThen();
		}
		granted.addAll(knowledgeRules(caller));
		List<IAuthRule> list = new ArrayList<>();
		list.add(new ResponsesAsReads("$submit-visit"));
		list.addAll(rules.build());
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

	private List<IAuthRule> target(IAuthRuleBuilderRuleOp operation, SmartScope scope, Set<String> covered) {
		IAuthRuleBuilderRuleOpClassifier target =
				scope.resourceType().equals("*") ? operation.allResources() : operation.resourcesOfType(scope.resourceType());
		if (scope.level().equals("patient")) {
			if (covered.size() == 1) {
				return target.inModifiedCompartment("Patient", new IdType("Patient", covered.iterator().next()), patientOwnership)
						.build();
			}
			Collection<IIdType> owners = covered.stream().map(id -> (IIdType) new IdType("Patient", id)).toList();
			return target.inModifiedCompartment("Patient", owners, patientOwnership).build();
		}
		return target.withAnyId().build();
	}

	/**
	 * The patients a {@code patient/} scope covers: the token's patient, and with patient scopes covering the dyad the
	 * members linked to her. Looked up once per request (every hook rebuilds the rules), with the server's own reads.
	 */
	@SuppressWarnings("unchecked")
	private Set<String> covered(RequestDetails request, List<SmartScope> scopes, String patient) {
		if (patient == null) {
			return Set.of();
		}
		if (dyadLinks == null || scopes.stream().noneMatch(scope -> scope.level().equals("patient"))) {
			return Set.of(patient);
		}
		String key = SmartScopeAuthorizationInterceptor.class.getName() + ".dyad." + patient;
		Object known = request.getUserData().get(key);
		if (known instanceof Set<?> set) {
			return (Set<String>) set;
		}
		Set<String> members;
		try {
			members = Set.copyOf(DyadAssembler.membersAround(patient, dyadLinks));
		} catch (DataUnavailableException e) {
			members = Set.of(patient); // links unreadable: cover no one beyond the token's own patient
		}
		request.getUserData().put(key, members);
		return members;
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
	private Optional<String> searchRefusal(RequestDetails request, List<SmartScope> scopes, String patient, Set<String> covered) {
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
		if (operation != RestOperationTypeEnum.SEARCH_TYPE || !restrictedTo(request.getParameters(), type, covered)) {
			return Optional.of(covered.size() > 1 ? "a patient-scoped search must be restricted to the token's patient or her dyad"
					: "a patient-scoped search must be restricted to the token's patient");
		}
		return Optional.empty();
	}

	static boolean restrictedTo(Map<String, String[]> parameters, String type, Set<String> patients) {
		Set<String> names = type.equals("Patient") ? Set.of("_id") : Set.of("patient", "patient:Patient", "subject:Patient", "subject");
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			if (!names.contains(parameter.getKey())) {
				continue;
			}
			boolean typed = !parameter.getKey().equals("subject");
			for (String value : parameter.getValue()) {
				if (onlyPatients(value, patients, typed)) {
					return true; // parameters are ANDed: one occurrence naming only covered patients restricts the whole search
				}
			}
		}
		return false;
	}

	private static boolean onlyPatients(String value, Set<String> patients, boolean typed) {
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
			if (!patients.contains(id)) {
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
	 * allowed with {@code system/} scopes reading Patient and Observation. A {@code patient/} token is refused, as
	 * the answer names the other member of the dyad, unless patient scopes cover the dyad ({@link #mayPopulateFor}).
	 */
	private static boolean mayPopulate(List<SmartScope> scopes) {
		return systemReads(scopes, "Patient") && systemReads(scopes, "Observation");
	}

	private static boolean systemReads(List<SmartScope> scopes, String type) {
		return grants(scopes, "system", type, 'r');
	}

	/**
	 * With patient scopes covering the dyad: {@code $populate} reads the subject infant and her mother, both in the
	 * dyad when the subject is; the subject is checked before anything is read. No readable subject, no rule.
	 */
	private static boolean mayPopulateFor(List<SmartScope> scopes, RequestDetails request, Set<String> covered) {
		if (!grants(scopes, "patient", "Patient", 'r') || !grants(scopes, "patient", "Observation", 'r')) {
			return false;
		}
		List<String> subjects = new ArrayList<>();
		String[] values = request.getParameters().get("subject");
		if (values != null) {
			subjects.addAll(List.of(values));
		}
		if (request.getResource() instanceof Parameters parameters) {
			parameters.getParameter().stream()
					.filter(parameter -> "subject".equals(parameter.getName()))
					.forEach(parameter -> subjects.add(parameter.getValue() instanceof Reference reference
							? reference.getReference() : parameter.getValue() == null ? null : parameter.getValue().primitiveValue()));
		}
		if (subjects.size() != 1 || subjects.get(0) == null) {
			return false;
		}
		IdType subject = new IdType(subjects.get(0));
		return (!subject.hasResourceType() || subject.getResourceType().equals("Patient")) && covered.contains(subject.getIdPart());
	}

	/** {@code $submit-visit} writes the response and its Observations: scopes at {@code level} creating both. */
	private static boolean maySubmitVisit(List<SmartScope> scopes, String level) {
		return grants(scopes, level, "Observation", 'c') && grants(scopes, level, "QuestionnaireResponse", 'c');
	}

	private static boolean grants(List<SmartScope> scopes, String level, String type, char letter) {
		return scopes.stream().anyMatch(scope -> scope.level().equals(level) && scope.allows(letter)
				&& (scope.resourceType().equals("*") || scope.resourceType().equals(type)));
	}

	/**
	 * Every resource an operation reads or answers is checked as a read against the rules. HAPI's explicit response
	 * authorization ({@code andRequireExplicitResponseAuthorization}) looks only inside a container, so a single
	 * Patient the operation reads would be decided by no rule. An answer holding no resource (a transaction response:
	 * locations and outcomes) reveals nothing and is allowed.
	 */
	private record ResponsesAsReads(String operationName) implements IAuthRule {

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
			if (output == null || operation != RestOperationTypeEnum.EXTENDED_OPERATION_TYPE
					|| !operationName.equals(request.getOperation())) {
				return null;
			}
			List<IBaseResource> resources = output instanceof IBaseBundle || output instanceof IBaseParameters
					? AuthorizationInterceptor.toListOfResourcesAndExcludeContainer(output, request.getFhirContext())
					: List.of(output);
			for (IBaseResource resource : resources) {
				Verdict read = applier.applyRulesAndReturnDecision(RestOperationTypeEnum.READ, request, null, null, resource, pointcut);
				if (read == null || read.getDecision() != PolicyEnum.ALLOW) {
					return new Verdict(PolicyEnum.DENY, this); // a resource the token may not read: the operation is refused
				}
			}
			return new Verdict(PolicyEnum.ALLOW, this);
		}

		@Override
		public String getName() {
			return operationName + " reads as reads";
		}
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
