package org.lactationcds.cds.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Card uuids that prove this server issued the card to that client, so feedback is accepted only for our cards, from
 * the client that received them, without a record of every card sent. The last 56 bits of a card uuid (the rule
 * fingerprint and card identity of {@code CardUuids} keep the first 72, version and variant included) are replaced
 * by an HMAC-SHA256, under a server key, of the client's issuer and those 72 bits. Forging one means guessing 56
 * bits per try, online. The key is configured, or generated once and kept in the database so that every instance
 * (and every restart) agrees.
 */
public final class IssuedCards {

	private static final String ALGORITHM = "HmacSHA256";
	private static final int TAG_FROM = 9;

	private final SecretKeySpec key;

	private IssuedCards(byte[] key) {
		this.key = new SecretKeySpec(key, ALGORITHM);
	}

	/**
	 * The key from {@code configured} (any text of at least 32 characters), else the one in the database, created there
	 * on first start (an instance racing on the insert reads the winner's key).
	 */
	public static IssuedCards load(JdbcTemplate jdbc, String configured) {
		if (configured != null && !configured.isBlank()) {
			if (configured.length() < 32) {
				throw new IllegalStateException("lactation-cds.security.card-key must be at least 32 characters");
			}
			return new IssuedCards(sha256(configured));
		}
		jdbc.execute("""
				CREATE TABLE IF NOT EXISTS lcds_server_key (
				  name VARCHAR(64) NOT NULL PRIMARY KEY,
				  secret VARCHAR(128) NOT NULL
				)""");
		List<String> stored = jdbc.queryForList("SELECT secret FROM lcds_server_key WHERE name = 'card-uuid'", String.class);
		if (stored.isEmpty()) {
			byte[] fresh = new byte[32];
			new SecureRandom().nextBytes(fresh);
			try {
				jdbc.update("INSERT INTO lcds_server_key (name, secret) VALUES ('card-uuid', ?)",
						Base64.getEncoder().encodeToString(fresh));
			} catch (DuplicateKeyException anotherInstanceWasFirst) {
				// fall through: read what it stored
			}
			stored = jdbc.queryForList("SELECT secret FROM lcds_server_key WHERE name = 'card-uuid'", String.class);
		}
		return new IssuedCards(Base64.getDecoder().decode(stored.get(0)));
	}

	/** {@code card} with its tag for {@code client} (the issuer, or "" when CDS calls are not authenticated). */
	public UUID tag(UUID card, String client) {
		byte[] bytes = bytes(card);
		byte[] tag = mac(bytes, client);
		System.arraycopy(tag, 0, bytes, TAG_FROM, 16 - TAG_FROM);
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		return new UUID(buffer.getLong(), buffer.getLong());
	}

	/** Whether {@code card} is a uuid this server issued to {@code client}. */
	public boolean issuedTo(UUID card, String client) {
		byte[] bytes = bytes(card);
		byte[] tag = mac(bytes, client);
		byte[] expected = new byte[16 - TAG_FROM];
		byte[] actual = new byte[16 - TAG_FROM];
		System.arraycopy(tag, 0, expected, 0, expected.length);
		System.arraycopy(bytes, TAG_FROM, actual, 0, actual.length);
		return MessageDigest.isEqual(expected, actual);
	}

	private byte[] mac(byte[] card, String client) {
		try {
			Mac mac = Mac.getInstance(ALGORITHM);
			mac.init(key);
			mac.update((client == null ? "" : client).getBytes(StandardCharsets.UTF_8));
			mac.update((byte) 0);
			mac.update(card, 0, TAG_FROM);
			return mac.doFinal();
		} catch (NoSuchAlgorithmException | InvalidKeyException e) {
			throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
		}
	}

	private static byte[] bytes(UUID uuid) {
		return ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array();
	}

	private static byte[] sha256(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is part of every JRE", e);
		}
	}
}
