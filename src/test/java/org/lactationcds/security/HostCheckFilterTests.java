package org.lactationcds.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** DNS rebinding: only the configured public host, or a loopback name, is answered. */
class HostCheckFilterTests {

	@Test
	void filterWhenOpenLoopbackAndAForeignHostAnswers421WithoutCallingTheServer() throws Exception {
		MockHttpServletResponse response = send(new HostCheckFilter(null, true), "/fhir/Patient", "rebind.attacker.example:8080");

		assertThat(response.getStatus()).isEqualTo(421);
		assertThat(response.getContentAsString()).contains("OperationOutcome");
	}

	@Test
	void filterWhenCdsPathAndForeignHostAnswersCdsJsonError() throws Exception {
		MockHttpServletResponse response = send(new HostCheckFilter(null, true), "/cds-services", "evil.example");

		assertThat(response.getStatus()).isEqualTo(421);
		assertThat(response.getContentAsString()).contains("\"error\"", "\"message\"");
	}

	@Test
	void filterWhenLoopbackNamesOrThePublicHostPasses() throws Exception {
		HostCheckFilter filter = new HostCheckFilter("https://cds.example.org", false);

		assertThat(send(filter, "/fhir/metadata", "cds.example.org").getStatus()).isEqualTo(200);
		assertThat(send(filter, "/fhir/metadata", "CDS.example.org:443").getStatus()).isEqualTo(200);
		assertThat(send(filter, "/fhir/metadata", "localhost:8080").getStatus()).isEqualTo(200);
		assertThat(send(filter, "/fhir/metadata", "127.0.0.1:8080").getStatus()).isEqualTo(200);
		assertThat(send(filter, "/fhir/metadata", "[::1]:8080").getStatus()).isEqualTo(200);
		assertThat(send(filter, "/fhir/metadata", "cds.example.org.evil.example").getStatus()).isEqualTo(421);
	}

	@Test
	void filterWhenBoundBeyondLoopbackWithoutPublicUrlLetsEveryHostThrough() throws Exception {
		assertThat(send(new HostCheckFilter(null, false), "/fhir/metadata", "anything.example").getStatus()).isEqualTo(200);
	}

	private static MockHttpServletResponse send(HostCheckFilter filter, String path, String host) throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
		request.addHeader("Host", host);
		MockHttpServletResponse response = new MockHttpServletResponse();
		filter.doFilter(request, response, new MockFilterChain());
		return response;
	}
}
