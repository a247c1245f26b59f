package org.lactationcds.fhir;

import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilder;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOp;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOpClassifier;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.IdType;
import org.lactationcds.caller.Permissions;
import org.lactationcds.security.SmartScope;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * What a bearer token's SMART scopes allow, as HAPI authorization rules: {@code system/} and {@code user/} scopes on
 * any instance of their type, {@code patient/} scopes only inside the compartment of the token's {@code patient}
 * claim. Everything else is denied (403 with an OperationOutcome). The token itself was checked by Spring Security.
 */
@Interceptor
class SmartScopeAuthorizationInterceptor extends AuthorizationInterceptor {

	@Override
	public List<IAuthRule> buildRuleList(RequestDetails request) {
		IAuthRuleBuilder rules = new RuleBuilder().allow("metadata").metadata().andThen();
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (!(authentication instanceof JwtAuthenticationToken token)) {
			return rules.denyAll("no bearer token").build();
		}
		Jwt jwt = token.getToken();
		String patient = jwt.getClaimAsString("patient");
		boolean granted = false;
		for (String text : scopes(jwt)) {
			Optional<SmartScope> parsed = SmartScope.parse(text);
			if (parsed.isEmpty()) {
				continue;
			}
			SmartScope scope = parsed.get();
			if (scope.level().equals("patient") && patient == null) {
				continue; // a patient scope without the patient it is for grants nothing
			}
			if (scope.allows('r') || scope.allows('s')) {
				granted |= add(rules.allow(text).read(), scope, patient);
			}
			if (scope.allows('c')) {
				granted |= add(rules.allow(text).create(), scope, patient);
			}
			if (scope.allows('u')) {
				granted |= add(rules.allow(text).write(), scope, patient);
			}
			if (scope.allows('d')) {
				granted |= add(rules.allow(text).delete(), scope, patient);
			}
		}
		granted |= knowledgeRules(rules, scopes(jwt));
		if (granted) {
			// A transaction or batch is allowed as a container; each entry is checked against the rules above.
			rules = rules.allow("transaction").transaction().withAnyOperation().andApplyNormalRules().andThen();
		}
		return rules.denyAll("the token's scopes do not allow this").build();
	}

	/**
	 * The publisher's and the auditor's permissions, which no SMART resource scope grants: knowledge writes (checked
	 * further by the governance's publish check) and the knowledge operations.
	 */
	private static boolean knowledgeRules(IAuthRuleBuilder rules, List<String> scopes) {
		boolean publisher = scopes.contains(Permissions.PUBLISH_KNOWLEDGE);
		if (publisher || scopes.contains(Permissions.READ_AUDIT)) {
			rules.allow(Permissions.STATUS_OPERATION).operation().named(Permissions.STATUS_OPERATION).onServer().andAllowAllResponses();
		}
		if (!publisher) {
			return false;
		}
		for (String type : Permissions.KNOWLEDGE_TYPES) {
			rules.allow(Permissions.PUBLISH_KNOWLEDGE).read().resourcesOfType(type).withAnyId();
			rules.allow(Permissions.PUBLISH_KNOWLEDGE).write().resourcesOfType(type).withAnyId();
			rules.allow(Permissions.PUBLISH_KNOWLEDGE).create().resourcesOfType(type).withAnyId();
			rules.allow(Permissions.PUBLISH_KNOWLEDGE).delete().resourcesOfType(type).withAnyId();
		}
		rules.allow(Permissions.ROLLBACK_OPERATION).operation().named(Permissions.ROLLBACK_OPERATION).onServer().andAllowAllResponses();
		return true;
	}

	private static boolean add(IAuthRuleBuilderRuleOp operation, SmartScope scope, String patient) {
		IAuthRuleBuilderRuleOpClassifier target =
				scope.resourceType().equals("*") ? operation.allResources() : operation.resourcesOfType(scope.resourceType());
		if (scope.level().equals("patient")) {
			target.inCompartment("Patient", new IdType("Patient", patient));
		} else {
			target.withAnyId();
		}
		return true;
	}

	/** The {@code scope} claim (space-separated) or {@code scp} (a list). */
	static List<String> scopes(Jwt jwt) {
		List<String> scopes = new ArrayList<>();
		String scope = jwt.getClaimAsString("scope");
		if (scope != null) {
			scopes.addAll(List.of(scope.trim().split("\\s+")));
		}
		List<String> scp = jwt.getClaimAsStringList("scp");
		if (scp != null) {
			scopes.addAll(scp);
		}
		return scopes;
	}
}
