package org.lactationcds.support;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The server's "now" in tests: the system clock until a test pins it, back to the system clock on reset. */
public final class MutableClock extends Clock {

	private volatile Instant pinned;

	public void pin(Instant instant) {
		pinned = instant;
	}

	public void reset() {
		pinned = null;
	}

	@Override
	public Instant instant() {
		Instant now = pinned;
		return now == null ? Instant.now() : now;
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		return this;
	}
}
