package org.lactationcds.cds.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Every /cds-services call needs a trusted client's JWT whose audience is the public URL called. */
class CdsClientAuthenticationFilterTests {

	final CdsClientAuthenticationFilter filter = new CdsClientAuthenticationFilter(
			TestClients.verifier(TestClients.trusted(), Clock.systemUTC()),
			"https://cds.example.org/");

	@Test
	void callWithoutATokenGets401WithAJsonErrorAndGoesNoFurther() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();

		filter.doFilter(post("/cds-services/lactation-patient-view", null), response, chain);

		assertThat(response.getStatus()).isEqualTo(401);
		assertThat(response.getContentAsString()).contains("\"error\":\"Unauthorized\"");
		assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
		assertThat(chain.getRequest()).isNull();
	}

	@Test
	void trustedTokenForTheUrlCalledPassesAndNamesTheClient() throws Exception {
		String token = TestClients.rs384(TestClients.claims(Instant.now()).build());
		MockHttpServletRequest request = post("/cds-services/lactation-patient-view", token);
		MockFilterChain chain = new MockFilterChain();

		filter.doFilter(request, new MockHttpServletResponse(), chain);

		assertThat(chain.getRequest()).isNotNull();
		assertThat(((TrustedClient) request.getAttribute(CdsClientAuthenticationFilter.CLIENT)).issuer()).isEqualTo(TestClients.ISSUER);
	}

	@Test
	void tokenForTheServiceIsNotAcceptedForDiscovery() throws Exception {
		String token = TestClients.rs384(TestClients.claims(Instant.now()).build());
		MockHttpServletResponse response = new MockHttpServletResponse();

		MockHttpServletRequest discovery = new MockHttpServletRequest("GET", "/cds-services");
		discovery.addHeader("Authorization", "Bearer " + token);
		filter.doFilter(discovery, response, new MockFilterChain());

		assertThat(response.getStatus()).isEqualTo(401);
	}

	@Test
	void corsPreflightPassesWithoutCredentials() throws Exception {
		MockFilterChain chain = new MockFilterChain();

		filter.doFilter(new MockHttpServletRequest("OPTIONS", "/cds-services"), new MockHttpServletResponse(), chain);

		assertThat(chain.getRequest()).isNotNull();
	}

	private static MockHttpServletRequest post(String path, String token) {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", path);
		if (token != null) {
			request.addHeader("Authorization", "Bearer " + token);
		}
		return request;
	}
}
