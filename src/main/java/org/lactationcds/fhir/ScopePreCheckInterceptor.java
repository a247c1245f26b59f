package org.lactationcds.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import java.util.Set;
import org.lactationcds.caller.Caller;
import org.lactationcds.caller.Permissions;
import org.lactationcds.security.SmartScope;

/**
 * Refuses a caller whose token grants nothing on the request's target before the body is read: HAPI's
 * authorization rules ({@link SmartScopeAuthorizationInterceptor}) run only once the body has been parsed and validated,
 * so a token with no FHIR scope could make the server parse and validate a large resource (or choke on a hostile one)
 * just to be told no. This is a coarse gate by resource type and HTTP method; the rules still decide each resource.
 */
@Interceptor
class ScopePreCheckInterceptor {

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
	public boolean refuseWithoutScope(HttpServletRequest request) {
		String path = request.getPathInfo() == null ? "" : request.getPathInfo().replaceFirst("^/+", "");
		String[] segments = path.split("/");
		String target = segments[0];
		if (target.equals("metadata")) {
			return true;
		}
		Caller caller = Caller.current();
		if (!caller.authenticated()) {
			throw new ForbiddenOperationException("A bearer token is required");
		}
		String patient = caller.patient();
		boolean typeLevel = !target.isEmpty() && Character.isUpperCase(target.charAt(0));
		Set<Character> needed = typeLevel ? needed(request.getMethod(), segments) : Set.of('c', 'r', 'u', 'd', 's');
		if (target.equals("Questionnaire") && segments[segments.length - 1].equals("$populate")) {
			// $populate reads patient data, not the Questionnaire: the token must read Patient (the rules decide the rest)
			target = "Patient";
			needed = Set.of('r');
		}
		if (caller.has(Permissions.PUBLISH_KNOWLEDGE)) {
			return true; // a publisher is not a SMART scope: governance and the authorization rules decide each write
		}
		for (String text : caller.scopes()) {
			Optional<SmartScope> scope = SmartScope.parse(text);
			if (scope.isEmpty() || (scope.get().level().equals("patient") && patient == null)) {
				continue;
			}
			boolean typeMatches = !typeLevel || scope.get().resourceType().equals("*") || scope.get().resourceType().equals(target);
			if (typeMatches && needed.stream().anyMatch(scope.get()::allows)) {
				return true;
			}
		}
		throw new ForbiddenOperationException("The token's scopes do not allow "
				+ request.getMethod() + " on " + (typeLevel ? target : "this server"));
	}

	/** The permissions of which at least one must be granted on the type; operations ({@code $x}) accept any. */
	private static Set<Character> needed(String method, String[] segments) {
		boolean operation = segments[segments.length - 1].startsWith("$");
		boolean search = segments[segments.length - 1].equals("_search");
		if (operation) {
			return Set.of('c', 'r', 'u', 'd', 's');
		}
		return switch (method) {
			case "GET", "HEAD" -> Set.of('r', 's');
			case "POST" -> search ? Set.of('s') : Set.of('c');
			case "PUT" -> Set.of('u', 'c');
			case "PATCH" -> Set.of('u');
			case "DELETE" -> Set.of('d');
			default -> Set.of('c', 'r', 'u', 'd', 's');
		};
	}
}
