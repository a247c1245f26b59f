package org.lactationcds.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Error bodies say what went wrong in the caller's terms and never name the server's internals. */
class ErrorBodyInterceptorTests {

	final ErrorBodyInterceptor interceptor = new ErrorBodyInterceptor();

	@Test
	void hideInternalsWhenTheJvmRanOutOfMemoryAnswersAPlain500() {
		BaseServerResponseException answer = interceptor.hideInternals(new OutOfMemoryError("Java heap space"));

		assertThat(answer.getStatusCode()).isEqualTo(500);
		assertThat(answer.getMessage()).doesNotContain("heap", "Java", "Error").contains("reference");
	}

	@Test
	void hideInternalsWhenHapiWrappedAnExceptionClassNameDropsIt() {
		BaseServerResponseException answer = interceptor.hideInternals(
				new InternalErrorException("Failed to call access method: java.lang.NullPointerException: x"));

		assertThat(answer.getMessage()).doesNotContain("java.lang", "NullPointerException");
		BaseServerResponseException clientError = interceptor.hideInternals(
				new InvalidRequestException("HAPI-1861: com.fasterxml.jackson.core.JsonParseException: boom"));
		assertThat(clientError.getStatusCode()).isEqualTo(400);
		assertThat(clientError.getMessage()).doesNotContain("fasterxml");
	}

	@Test
	void hideInternalsWhenTheCallersMistakeKeepsHapisAnswer() {
		assertThat(interceptor.hideInternals(new InvalidRequestException("Unknown search parameter \"foo\""))).isNull();
	}

	@Test
	void hideInternalsWhenTheServerIsBusyKeepsThe503AndItsRetryAfter() {
		BaseServerResponseException busy = BaseServerResponseException.newInstance(503, "The server is busy; try again shortly");
		busy.addResponseHeader("Retry-After", "10");
		assertThat(interceptor.hideInternals(busy)).isNull();
	}

	@Test
	void statementTimeoutIsSetForPostgresqlAndH2Only() {
		assertThat(StatementTimeout.initSql("jdbc:postgresql://db/x", Duration.ofSeconds(30))).isEqualTo("SET statement_timeout = 30000");
		assertThat(StatementTimeout.initSql("jdbc:h2:file:./data/x", Duration.ofSeconds(5))).isEqualTo("SET QUERY_TIMEOUT 5000");
		assertThat(StatementTimeout.initSql("jdbc:oracle:thin:@x", Duration.ofSeconds(5))).isNull();
	}
}
