package org.lactationcds.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Authorize before parsing: a token that grants nothing on the target is refused from the method and path alone, before
 * the body (which may be hostile or huge) is read. The request body here is deliberately unreadable: touching it fails.
 */
class ScopePreCheckInterceptorTests {

	final ScopePreCheckInterceptor interceptor = new ScopePreCheckInterceptor();

	@AfterEach
	void clear() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void refuseWithoutScopeWhenTheTokenHasNoFhirScopeIs403BeforeTheBody() {
		authenticate("openid profile", null);

		assertThatThrownBy(() -> interceptor.refuseWithoutScope(request("POST", "/Observation")))
				.isInstanceOf(ForbiddenOperationException.class).hasMessageContaining("POST on Observation");
		assertThatThrownBy(() -> interceptor.refuseWithoutScope(request("POST", "")))
				.isInstanceOf(ForbiddenOperationException.class);
	}

	@Test
	void refuseWithoutScopeWhenReadOnlyScopeWritesIs403() {
		authenticate("user/Observation.rs", null);

		assertThatThrownBy(() -> interceptor.refuseWithoutScope(request("POST", "/Observation")))
				.isInstanceOf(ForbiddenOperationException.class);
		assertThatThrownBy(() -> interceptor.refuseWithoutScope(request("GET", "/Patient")))
				.isInstanceOf(ForbiddenOperationException.class);
		assertThat(interceptor.refuseWithoutScope(request("GET", "/Observation"))).isTrue();
		assertThat(interceptor.refuseWithoutScope(request("POST", "/Observation/_search"))).isTrue();
	}

	@Test
	void refuseWithoutScopeLetsThroughWhatTheRulesMustDecide() {
		authenticate("patient/*.cruds", "p1");

		assertThat(interceptor.refuseWithoutScope(request("PUT", "/Patient/p2"))).isTrue();
		assertThat(interceptor.refuseWithoutScope(request("POST", ""))).isTrue();
		assertThat(interceptor.refuseWithoutScope(request("GET", "/metadata"))).isTrue();
	}

	@Test
	void refuseWithoutScopeWhenAPatientScopeHasNoPatientIs403() {
		authenticate("patient/*.cruds", null);

		assertThatThrownBy(() -> interceptor.refuseWithoutScope(request("GET", "/Observation")))
				.isInstanceOf(ForbiddenOperationException.class);
	}

	private static MockHttpServletRequest request(String method, String pathInfo) {
		MockHttpServletRequest request = new MockHttpServletRequest(method, "/fhir" + pathInfo) {
			@Override
			public jakarta.servlet.ServletInputStream getInputStream() {
				throw new AssertionError("the body was read before the caller was authorized");
			}
		};
		request.setServletPath("/fhir");
		request.setPathInfo(pathInfo.isEmpty() ? null : pathInfo);
		return request;
	}

	private static void authenticate(String scope, String patient) {
		Jwt.Builder jwt = Jwt.withTokenValue("t").header("alg", "RS256").claim("scope", scope)
				.issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(60));
		if (patient != null) {
			jwt.claim("patient", patient);
		}
		SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(jwt.build()));
	}
}
