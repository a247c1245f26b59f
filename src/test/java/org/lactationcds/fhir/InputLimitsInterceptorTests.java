package org.lactationcds.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The search, transaction and patch budgets, each refused with a message naming the limit and its property. */
class InputLimitsInterceptorTests {

	final InputLimitsInterceptor limits =
			new InputLimitsInterceptor(new FhirLimitsProperties(3, 10, 2, 100, 1000, 8_388_608, Duration.ofSeconds(30)));

	@Test
	void repeatedSortKeyIsRefused() {
		assertThatThrownBy(() -> search(Map.of("_sort", new String[] {"name", "name"})))
				.isInstanceOf(InvalidRequestException.class).hasMessageContaining("_sort names name more than once");
		assertThatThrownBy(() -> search(Map.of("_sort", new String[] {"name,-name"}))).hasMessageContaining("more than once");
	}

	@Test
	void tooManySortKeysAreRefusedNamingTheProperty() {
		assertThatThrownBy(() -> search(Map.of("_sort", new String[] {"name,birthdate,gender,family"})))
				.hasMessageContaining("lactation-cds.fhir.limits.max-sort-keys");
	}

	@Test
	void tooManyIncludesAreRefused() {
		assertThatThrownBy(() -> search(Map.of("_include", Collections.nCopies(6, "Observation:subject").toArray(String[]::new),
						"_revinclude", Collections.nCopies(5, "Observation:subject").toArray(String[]::new))))
				.hasMessageContaining("max-includes");
	}

	@Test
	void deepChainIsRefused() {
		assertThatThrownBy(() -> search(Map.of("subject.organization.partof.name", new String[] {"x"})))
				.hasMessageContaining("max-chain-depth");
		assertThatThrownBy(() -> search(Map.of("_has:Observation:patient:_has:Observation:subject:_has:X:y:code", new String[] {"x"})))
				.hasMessageContaining("max-chain-depth");
	}

	@Test
	void longOrListIsRefused() {
		assertThatThrownBy(() -> search(Map.of("_id", new String[] {String.join(",", Collections.nCopies(101, "a"))})))
				.hasMessageContaining("max-or-values");
	}

	@Test
	void absurdNumberInAParameterIsRefused() {
		assertThatThrownBy(() -> search(Map.of("value-quantity", new String[] {"gt1e999999999"})))
				.isInstanceOf(InvalidRequestException.class).hasMessageContaining("exponent");
	}

	@Test
	void ordinarySearchPasses() {
		assertThat(search(Map.of("_sort", new String[] {"-date,code"}, "patient", new String[] {"p1"},
				"subject.name", new String[] {"Ann"}, "_include", new String[] {"Observation:subject"},
				"date", new String[] {"ge2026-03-01"}))).isTrue();
	}

	@Test
	void transactionOverTheEntryLimitIs413() {
		String body = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
				+ String.join(",", Collections.nCopies(1001, "{\"request\":{\"method\":\"GET\",\"url\":\"Patient/x\"}}")) + "]}";
		assertThatThrownBy(() -> write(RestOperationTypeEnum.TRANSACTION, body))
				.isInstanceOf(PayloadTooLargeException.class).hasMessageContaining("max-transaction-entries");
	}

	@Test
	void emptyJsonPatchIs400() {
		assertThatThrownBy(() -> write(RestOperationTypeEnum.PATCH, " [ ] "))
				.isInstanceOf(InvalidRequestException.class).hasMessageContaining("JSON Patch is empty");
	}

	@Test
	void entriesAreCountedAtTheTopLevelOnly() {
		assertThat(InputLimitsInterceptor.entries(bytes("{\"entry\":[{\"resource\":{\"entry\":[1,2,3]}},{}]}"))).isEqualTo(2);
	}

	private boolean search(Map<String, String[]> parameters) {
		SystemRequestDetails request = new SystemRequestDetails();
		request.setParameters(new HashMap<>(parameters));
		request.setRestOperationType(RestOperationTypeEnum.SEARCH_TYPE);
		return limits.limitInput(request);
	}

	private boolean write(RestOperationTypeEnum operation, String body) {
		SystemRequestDetails request = new SystemRequestDetails();
		request.setParameters(new HashMap<>());
		request.setRestOperationType(operation);
		request.setRequestContents(bytes(body));
		return limits.limitInput(request);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}
}
