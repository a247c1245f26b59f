package org.lactationcds.cds.card;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Optional;
import java.util.UUID;

/**
 * Card and suggestion UUIDs that are stable (the same rule, patient and evidence give the same UUID, so an EHR sees a
 * repeated card as the same card) and that carry their rule: the first 32 bits are a fingerprint of the rule id.
 * Feedback names only the card UUID, so the rule is read back from it without keeping a record of every card sent.
 * Format: an RFC 9562 version 8 (custom) UUID; the other bits are a SHA-256 of the card's identity.
 */
public final class CardUuids {

	private CardUuids() {}

	public static UUID card(String ruleId, String patient, String evidence) {
		byte[] digest = sha256(ruleId + "\n" + patient + "\n" + evidence);
		ByteBuffer.wrap(digest).putInt(0, fingerprint(ruleId));
		return version8(digest);
	}

	public static UUID suggestion(UUID card, String suggestionId) {
		return version8(sha256(card + "\n" + suggestionId));
	}

	/** The rule among {@code ruleIds} whose fingerprint a card UUID carries. */
	public static Optional<String> ruleOf(UUID card, Collection<String> ruleIds) {
		int fingerprint = (int) (card.getMostSignificantBits() >>> 32);
		return ruleIds.stream().filter(rule -> fingerprint(rule) == fingerprint).findFirst();
	}

	static int fingerprint(String ruleId) {
		return ByteBuffer.wrap(sha256(ruleId)).getInt();
	}

	private static UUID version8(byte[] bytes) {
		bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x80);
		bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		return new UUID(buffer.getLong(), buffer.getLong());
	}

	private static byte[] sha256(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is part of every JRE", e);
		}
	}
}
