package org.lactationcds.cds.security;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The JWT ids of CDS clients seen, per issuer, each kept until its token expires, in the server's database (H2 or
 * PostgreSQL): a token is accepted once, across restarts and by every instance on the same database (the primary key
 * decides, so two instances racing on one token accept it once).
 *
 * <p>Bounded per issuer: when an issuer has {@code capacity} unexpired ids, its further tokens are refused (fail
 * closed, rather than forget ids that could be replayed) until some expire; other issuers are not affected. Since the
 * maximum token lifetime is short (5 minutes by default), a full issuer recovers within that time. The count is read
 * before the insert, so concurrent calls of one issuer may pass the bound by at most their number.
 */
public final class TokenUseStore {

	/** The outcome of recording a token's id. */
	public enum Use { FIRST, REPLAY, ISSUER_FULL }

	/** Expired ids of every issuer are deleted at most this often (each issuer's own on each of its calls). */
	private static final Duration PURGE_ALL_EVERY = Duration.ofMinutes(1);

	private final JdbcTemplate jdbc;
	private final int capacityPerIssuer;
	private final AtomicReference<Instant> lastPurge = new AtomicReference<>(Instant.EPOCH);

	public TokenUseStore(JdbcTemplate jdbc, int capacityPerIssuer) {
		if (capacityPerIssuer < 1) {
			throw new IllegalStateException("lactation-cds.security.replay-cache-size must be at least 1");
		}
		this.jdbc = jdbc;
		this.capacityPerIssuer = capacityPerIssuer;
	}

	/** Creates the table on a new database (portable SQL: H2 and PostgreSQL). */
	public TokenUseStore createSchema() {
		jdbc.execute("""
				CREATE TABLE IF NOT EXISTS lcds_cds_token_use (
				  issuer VARCHAR(512) NOT NULL,
				  jti VARCHAR(255) NOT NULL,
				  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
				  PRIMARY KEY (issuer, jti)
				)""");
		jdbc.execute("CREATE INDEX IF NOT EXISTS lcds_cds_token_use_expiry ON lcds_cds_token_use (expires_at)");
		return this;
	}

	/** Records {@code jti} of {@code issuer}, remembered until {@code expires}. */
	public Use record(String issuer, String jti, Instant expires, Instant now) {
		purge(issuer, now);
		Integer known = jdbc.queryForObject(
				"SELECT COUNT(*) FROM lcds_cds_token_use WHERE issuer = ?", Integer.class, issuer);
		boolean full = known != null && known >= capacityPerIssuer;
		if (full) {
			// a replay is still told apart from a full store (the log says which)
			Integer same = jdbc.queryForObject(
					"SELECT COUNT(*) FROM lcds_cds_token_use WHERE issuer = ? AND jti = ?", Integer.class, issuer, jti);
			return same != null && same > 0 ? Use.REPLAY : Use.ISSUER_FULL;
		}
		try {
			jdbc.update("INSERT INTO lcds_cds_token_use (issuer, jti, expires_at) VALUES (?, ?, ?)",
					issuer, jti, Timestamp.from(expires));
			return Use.FIRST;
		} catch (DuplicateKeyException e) {
			return Use.REPLAY;
		}
	}

	private void purge(String issuer, Instant now) {
		jdbc.update("DELETE FROM lcds_cds_token_use WHERE issuer = ? AND expires_at <= ?", issuer, Timestamp.from(now));
		Instant last = lastPurge.get();
		if (last.plus(PURGE_ALL_EVERY).isBefore(now) && lastPurge.compareAndSet(last, now)) {
			jdbc.update("DELETE FROM lcds_cds_token_use WHERE expires_at <= ?", Timestamp.from(now));
		}
	}
}
