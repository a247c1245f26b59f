package org.lactationcds.cds.security;

/**
 * Text from an untrusted caller made fit for one log line: control characters (CR, LF, tab, ANSI escapes...) and
 * Unicode line separators become {@code ?}, and the length is bounded, so a crafted {@code iss}, {@code kid} or
 * {@code jku} cannot forge or flood log lines.
 */
public final class LogSafe {

	static final int MAX = 300;

	private LogSafe() {}

	public static String text(Object value) {
		if (value == null) {
			return "(none)";
		}
		String text = value.toString();
		StringBuilder safe = new StringBuilder(Math.min(text.length(), MAX + 3));
		for (int i = 0; i < text.length() && safe.length() < MAX; i++) {
			char c = text.charAt(i);
			safe.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
		}
		if (text.length() > MAX) {
			safe.append("...");
		}
		return safe.toString();
	}
}
