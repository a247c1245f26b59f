package org.lactationcds.cds.security;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JWT ids seen, per issuer, each kept until its token expires: a token is accepted once. Bounded: when full of
 * unexpired ids it refuses new tokens (fail closed) rather than forgetting ids that could be replayed.
 */
final class ReplayCache {

	private final int capacity;
	private final Map<String, Instant> seen = new LinkedHashMap<>();

	ReplayCache(int capacity) {
		this.capacity = capacity;
	}

	/** Records the id; false when it was seen before (a replay) or there is no room. */
	synchronized boolean firstUse(String issuer, String jti, Instant expires, Instant now) {
		String key = issuer + "\n" + jti;
		Instant known = seen.get(key);
		if (known != null && known.isAfter(now)) {
			return false;
		}
		if (seen.size() >= capacity) {
			evictExpired(now);
			if (seen.size() >= capacity) {
				return false;
			}
		}
		seen.put(key, expires);
		return true;
	}

	private void evictExpired(Instant now) {
		for (Iterator<Instant> expiries = seen.values().iterator(); expiries.hasNext(); ) {
			if (!expiries.next().isAfter(now)) {
				expiries.remove();
			}
		}
	}
}
