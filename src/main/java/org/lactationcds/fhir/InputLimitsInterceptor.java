package org.lactationcds.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lactationcds.security.InputCheck;

/**
 * Refuses, before any parser, validator or query sees them, requests that would cost the server far more than their
 * size: bodies with absurd nesting, numbers or invalid UTF-16 ({@link InputCheck}); searches over the budgets of
 * {@link FhirLimitsProperties} (a repeated {@code _sort} key alone made the database work grow exponentially); oversized
 * transactions; an empty JSON Patch; bodies with more elements than parsing and validating may cost. Runs after the caller was authenticated and checked against its scopes
 * ({@link ScopePreCheckInterceptor}), so a caller with no permission never gets this far.
 *
 * <p>A request with a body also takes room for its elements in a budget shared by all requests, held until HAPI has
 * finished with it: a few large writes at once cannot run the heap out (each element costs the validator about 1 KB
 * while it works), and one that finds no room within the wait gets 503 with {@code Retry-After} instead of queuing
 * without end.
 */
@Interceptor
class InputLimitsInterceptor {

	private static final Pattern XML_ENTRY = Pattern.compile("<entry[\\s>]");
	private static final JsonFactory JSON = new JsonFactory();

	private static final String ELEMENTS_HELD = InputLimitsInterceptor.class.getName() + ".elementsHeld";

	private final FhirLimitsProperties limits;
	/** Fair, so a large body waiting for room is not overtaken for ever by small ones. */
	private final Semaphore elementsInProgress;

	InputLimitsInterceptor(FhirLimitsProperties limits) {
		this.limits = limits;
		this.elementsInProgress = new Semaphore(limits.maxElementsInProgress(), true);
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean limitInput(RequestDetails request) {
		checkParameters(request.getParameters());
		RestOperationTypeEnum operation = request.getRestOperationType();
		byte[] body = request.loadRequestContents();
		if (body == null || body.length == 0) {
			return true;
		}
		boolean transaction = operation == RestOperationTypeEnum.TRANSACTION || operation == RestOperationTypeEnum.BATCH;
		if (transaction && body.length > limits.maxTransactionBytes()) {
			throw new PayloadTooLargeException("A transaction or batch is limited to " + limits.maxTransactionBytes()
					+ " bytes (lactation-cds.fhir.limits.max-transaction-bytes); this one has " + body.length);
		}
		InputCheck.body(body).ifPresent(problem -> {
			throw new InvalidRequestException("The request body is refused: " + problem);
		});
		if (transaction) {
			int entries = entries(body);
			if (entries > limits.maxTransactionEntries()) {
				throw new PayloadTooLargeException("A transaction or batch is limited to " + limits.maxTransactionEntries()
						+ " entries (lactation-cds.fhir.limits.max-transaction-entries); this one has " + entries);
			}
		}
		if (operation == RestOperationTypeEnum.PATCH && new String(body, StandardCharsets.UTF_8).replaceAll("\\s", "").equals("[]")) {
			throw new InvalidRequestException("The JSON Patch is empty: send at least one operation");
		}
		long elements = InputCheck.elements(body);
		if (elements > limits.maxBodyElements()) {
			throw new PayloadTooLargeException("A request body is limited to " + limits.maxBodyElements()
					+ " elements (lactation-cds.fhir.limits.max-body-elements); this one has " + elements
					+ ": send the resources in smaller requests");
		}
		holdRoomFor(request, (int) Math.max(1, elements));
		return true;
	}

	private void holdRoomFor(RequestDetails request, int elements) {
		boolean granted;
		try {
			granted = elementsInProgress.tryAcquire(elements, limits.elementsWait().toMillis(), TimeUnit.MILLISECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			granted = false;
		}
		if (!granted) {
			BaseServerResponseException busy = BaseServerResponseException.newInstance(503,
					"The server is busy with other large requests (lactation-cds.fhir.limits.max-elements-in-progress); "
							+ "try again shortly");
			busy.addResponseHeader("Retry-After", "10");
			throw busy;
		}
		request.getUserData().put(ELEMENTS_HELD, elements);
	}

	/** Called for every request HAPI handled, whatever its outcome (HAPI calls it from a finally block). */
	@Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
	public void releaseRoom(RequestDetails request) {
		if (request.getUserData().remove(ELEMENTS_HELD) instanceof Integer elements) {
			elementsInProgress.release(elements);
		}
	}

	/** Room left in the shared budget, for tests. */
	int elementsAvailable() {
		return elementsInProgress.availablePermits();
	}

	private void checkParameters(Map<String, String[]> parameters) {
		int sortKeys = 0;
		int includes = 0;
		Set<String> sorted = new HashSet<>();
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			String name = parameter.getKey();
			InputCheck.parameter("name", name).ifPresent(InputLimitsInterceptor::refuse);
			int depth = chainDepth(name);
			if (depth > limits.maxChainDepth()) {
				refuse("parameter " + name + " chains " + depth + " links, over the limit of " + limits.maxChainDepth()
						+ " (lactation-cds.fhir.limits.max-chain-depth)");
			}
			for (String value : parameter.getValue()) {
				InputCheck.parameter(name, value).ifPresent(InputLimitsInterceptor::refuse);
				String[] values = value.split("(?<!\\\\),", -1);
				if (values.length > limits.maxOrValues()) {
					refuse("parameter " + name + " lists " + values.length + " values, over the limit of "
							+ limits.maxOrValues() + " (lactation-cds.fhir.limits.max-or-values)");
				}
				if (name.equals("_sort")) {
					for (String key : values) {
						String field = key.trim().replaceFirst("^-", "");
						if (!field.isEmpty() && !sorted.add(field)) {
							refuse("_sort names " + field + " more than once");
						}
						sortKeys++;
					}
				} else if (name.startsWith("_include") || name.startsWith("_revinclude")) {
					includes += values.length;
				}
			}
		}
		if (sortKeys > limits.maxSortKeys()) {
			refuse("_sort has " + sortKeys + " keys, over the limit of " + limits.maxSortKeys()
					+ " (lactation-cds.fhir.limits.max-sort-keys)");
		}
		if (includes > limits.maxIncludes()) {
			refuse("_include and _revinclude have " + includes + " values, over the limit of " + limits.maxIncludes()
					+ " (lactation-cds.fhir.limits.max-includes)");
		}
	}

	/** Links in a chained parameter name: each {@code .} and each {@code _has:} is one join. */
	static int chainDepth(String name) {
		int depth = 0;
		Matcher has = Pattern.compile("_has:").matcher(name);
		while (has.find()) {
			depth++;
		}
		for (int i = 0; i < name.length(); i++) {
			if (name.charAt(i) == '.') {
				depth++;
			}
		}
		return depth;
	}

	/** Entries of a Bundle body, counted without building it. */
	static int entries(byte[] body) {
		int first = 0;
		while (first < body.length && Character.isWhitespace(body[first])) {
			first++;
		}
		if (first < body.length && body[first] == '<') {
			Matcher entry = XML_ENTRY.matcher(new String(body, StandardCharsets.UTF_8));
			int count = 0;
			while (entry.find()) {
				count++;
			}
			return count;
		}
		try (JsonParser parser = JSON.createParser(body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return 0;
			}
			while (parser.nextToken() == JsonToken.FIELD_NAME) {
				String field = parser.currentName();
				JsonToken value = parser.nextToken();
				if ("entry".equals(field) && value == JsonToken.START_ARRAY) {
					int count = 0;
					while (parser.nextToken() != JsonToken.END_ARRAY) {
						count++;
						parser.skipChildren();
					}
					return count;
				}
				parser.skipChildren();
			}
			return 0;
		} catch (IOException e) {
			return 0; // not JSON: HAPI's parser answers that with a 400
		}
	}

	private static void refuse(String problem) {
		throw new InvalidRequestException("The request is refused: " + problem);
	}
}
