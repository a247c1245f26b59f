package org.lactationcds.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
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
			new InputLimitsInterceptor(new FhirLimitsProperties(3, 10, 2, 100, 1000, 8_388_608, Duration.ofSeconds(30),
					100, 150, Duration.ofMillis(200)));

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

	@Test
	void bodyOverTheElementBudgetIs413NamingTheProperty() {
		// the object, its resourceType, the array and 98 numbers = 101 elements, one over the budget; 100 pass.
		assertThatThrownBy(() -> write(RestOperationTypeEnum.CREATE, observationWithValues(98)))
				.isInstanceOf(PayloadTooLargeException.class)
				.hasMessageContaining("lactation-cds.fhir.limits.max-body-elements").hasMessageContaining("has 101");
		SystemRequestDetails request = writeRequest(RestOperationTypeEnum.CREATE, observationWithValues(97));
		assertThat(limits.limitInput(request)).isTrue();
		limits.releaseRoom(request);
	}

	@Test
	void requestsShareTheRoomAndTheOneThatFindsNoneGets503WithRetryAfter() {
		SystemRequestDetails first = writeRequest(RestOperationTypeEnum.CREATE, observationWithValues(97)); // 100 elements
		assertThat(limits.limitInput(first)).isTrue();
		assertThat(limits.elementsAvailable()).isEqualTo(50);
		SystemRequestDetails second = writeRequest(RestOperationTypeEnum.CREATE, observationWithValues(57)); // 60
		assertThatThrownBy(() -> limits.limitInput(second))
				.isInstanceOfSatisfying(BaseServerResponseException.class, e -> {
					assertThat(e.getStatusCode()).isEqualTo(503);
					assertThat(e.getResponseHeaders()).containsEntry("Retry-After", java.util.List.of("10"));
				})
				.hasMessageContaining("max-elements-in-progress");
		limits.releaseRoom(second); // refused requests hold nothing
		assertThat(limits.elementsAvailable()).isEqualTo(50);
		limits.releaseRoom(first);
		assertThat(limits.elementsAvailable()).isEqualTo(150);
		limits.releaseRoom(first); // released once only, however often HAPI reports completion
		assertThat(limits.elementsAvailable()).isEqualTo(150);
		assertThat(limits.limitInput(second)).isTrue();
		limits.releaseRoom(second);
	}

	@Test
	void requestsWithoutABodyHoldNoRoom() {
		search(Map.of("patient", new String[] {"p1"}));
		assertThat(limits.elementsAvailable()).isEqualTo(150);
	}

	@Test
	void propertiesRefuseARoomSmallerThanTheLargestBody() {
		assertThatThrownBy(() -> new FhirLimitsProperties(3, 10, 2, 100, 1000, 8_388_608, Duration.ofSeconds(30),
				100, 99, Duration.ofSeconds(1))).hasMessageContaining("max-elements-in-progress");
	}

	private static String observationWithValues(int values) {
		return "{\"resourceType\":\"Observation\",\"component\":["
				+ String.join(",", Collections.nCopies(values, "1")) + "]}";
	}

	private boolean search(Map<String, String[]> parameters) {
		SystemRequestDetails request = new SystemRequestDetails();
		request.setParameters(new HashMap<>(parameters));
		request.setRestOperationType(RestOperationTypeEnum.SEARCH_TYPE);
		return limits.limitInput(request);
	}

	private boolean write(RestOperationTypeEnum operation, String body) {
		return limits.limitInput(writeRequest(operation, body));
	}

	private static SystemRequestDetails writeRequest(RestOperationTypeEnum operation, String body) {
		SystemRequestDetails request = new SystemRequestDetails();
		request.setParameters(new HashMap<>());
		request.setRestOperationType(operation);
		request.setRequestContents(bytes(body));
		return request;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}
}
