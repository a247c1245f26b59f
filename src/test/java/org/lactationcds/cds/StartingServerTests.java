package org.lactationcds.cds;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.lactationcds.knowledge.KnowledgeNotLoadedException;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/** A CDS call that arrives while the server is still loading its knowledge is told to retry (503), not that it failed. */
class StartingServerTests {

	final KnowledgeLoader knowledge = mock(KnowledgeLoader.class);
	final MockMvc mvc = MockMvcBuilders
			.standaloneSetup(new CdsHooksController(knowledge, null, null, null, null, null, null, null))
			.setControllerAdvice(new CdsErrorHandler())
			.build();

	@Test
	void discoveryBeforeTheKnowledgeIsLoadedAnswers503WithRetryAfter() throws Exception {
		when(knowledge.current()).thenThrow(new KnowledgeNotLoadedException());

		mvc.perform(get("/cds-services"))
				.andExpect(status().isServiceUnavailable())
				.andExpect(header().string("Retry-After", "10"))
				.andExpect(jsonPath("$.error").value("Service Unavailable"))
				.andExpect(jsonPath("$.message").value("the knowledge is not loaded yet: the server is starting"));
	}

	@Test
	void serviceCallBeforeTheKnowledgeIsLoadedAnswers503() throws Exception {
		when(knowledge.current()).thenThrow(new KnowledgeNotLoadedException());

		mvc.perform(post("/cds-services/lactation-patient-view").contentType(MediaType.APPLICATION_JSON)
						.content("{\"hook\":\"patient-view\",\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\","
								+ "\"context\":{\"userId\":\"Practitioner/1\",\"patientId\":\"p1\"}}"))
				.andExpect(status().isServiceUnavailable())
				.andExpect(jsonPath("$.error").value("Service Unavailable"));
	}
}
