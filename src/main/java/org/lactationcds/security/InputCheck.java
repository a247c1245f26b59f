package org.lactationcds.security;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One linear pass over a request body or parameter value, before any parser sees it, for what no legitimate FHIR or
 * CDS Hooks input holds and what would otherwise cost the server memory or time inside a parser: nesting deeper than
 * {@link #MAX_DEPTH}, numbers with more than {@link #MAX_NUMBER_DIGITS} digits or an exponent beyond
 * {@link #MAX_EXPONENT} ({@code 1e999999999} is 11 bytes but a billion digits once a BigDecimal is written out), and
 * invalid UTF-16 (a lone surrogate, as a JSON {@code \ud800} escape, an XML character reference or CESU-8 bytes),
 * which PostgreSQL cannot store.
 *
 * <p>JSON numbers are checked outside strings only; in XML, attribute values that are entirely a number (FHIR puts
 * decimals in {@code value="..."}). Text inside strings is never taken for a number, so base64 data is not refused.
 */
public final class InputCheck {

	/** A transaction Bundle of deep resources stays well under 30 levels. */
	public static final int MAX_DEPTH = 100;
	/** FHIR decimals need 18 significant digits; identifiers written as numbers stay far below this. */
	public static final int MAX_NUMBER_DIGITS = 100;
	/** Clinical values lie within 1e-30..1e30; 1e1000 written out is still only a thousand characters. */
	public static final int MAX_EXPONENT = 1000;

	private static final Pattern NUMBER = Pattern.compile("^[+-]?([0-9]*)(?:\\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$");
	private static final Pattern XML_ATTRIBUTE_VALUE = Pattern.compile("=\\s*\"([^\"]{1,200000})\"");
	private static final Pattern XML_CHAR_REFERENCE = Pattern.compile("&#(x[0-9a-fA-F]{1,8}|[0-9]{1,10});");

	private static final JsonFactory JSON = new JsonFactory();

	private InputCheck() {}

	/** What is wrong with the body, in the caller's terms; empty when nothing is. */
	public static Optional<String> body(byte[] body) {
		if (body == null || body.length == 0) {
			return Optional.empty();
		}
		Optional<String> encoding = utf8Surrogates(body);
		if (encoding.isPresent()) {
			return encoding;
		}
		int first = 0;
		while (first < body.length && (body[first] == ' ' || body[first] == '\n' || body[first] == '\r' || body[first] == '\t')) {
			first++;
		}
		return first < body.length && body[first] == '<' ? xml(body) : json(body);
	}

	/**
	 * The elements of a body, counted without building it: JSON objects, arrays and values (property names are not
	 * counted), or XML start tags. Parsing and validating cost grows with this count, not with the bytes (a 10 MB
	 * Observation of 600,000 elements took the validator 133 s and a 1 GB heap), so a budget on it bounds both.
	 */
	public static long elements(byte[] body) {
		if (body == null || body.length == 0) {
			return 0;
		}
		int first = 0;
		while (first < body.length && Character.isWhitespace(body[first])) {
			first++;
		}
		if (first < body.length && body[first] == '<') {
			long tags = 0;
			for (int i = first; i + 1 < body.length; i++) {
				if (body[i] == '<' && body[i + 1] != '/' && body[i + 1] != '?' && body[i + 1] != '!') {
					tags++;
				}
			}
			return tags;
		}
		long elements = 0;
		try (JsonParser parser = JSON.createParser(body)) {
			for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
				if (token != JsonToken.FIELD_NAME && token != JsonToken.END_OBJECT && token != JsonToken.END_ARRAY) {
					elements++;
				}
			}
		} catch (IOException e) {
			// Not JSON (or broken JSON): the parser that follows answers it with 400; what was counted stands.
		}
		return elements;
	}

	/** A query parameter value: each comma, pipe or dollar separated part that is a number (after a FHIR prefix). */
	public static Optional<String> parameter(String name, String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (Character.isHighSurrogate(c) && (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(++i)))
					|| Character.isLowSurrogate(c)) {
				return Optional.of("parameter " + name + " holds invalid UTF-16 (a lone surrogate)");
			}
		}
		for (String part : value.split("[,|$]")) {
			String number = part.length() > 2 && Character.isLetter(part.charAt(0)) && Character.isLetter(part.charAt(1))
					? part.substring(2) : part;
			Optional<String> problem = number(number);
			if (problem.isPresent()) {
				return Optional.of("parameter " + name + ": " + problem.get());
			}
		}
		return Optional.empty();
	}

	private static Optional<String> json(byte[] body) {
		int depth = 0;
		for (int i = 0; i < body.length; i++) {
			byte b = body[i];
			if (b == '"') {
				i = jsonString(body, i + 1);
				if (i < 0) {
					return Optional.of("a string holds invalid UTF-16 (a \\u escape of a lone surrogate)");
				}
				continue;
			}
			if (b == '{' || b == '[') {
				if (++depth > MAX_DEPTH) {
					return Optional.of("the body is nested more than " + MAX_DEPTH + " levels deep");
				}
			} else if (b == '}' || b == ']') {
				depth--;
			} else if (b == '-' || (b >= '0' && b <= '9')) {
				int end = i;
				while (end < body.length && isNumberByte(body[end])) {
					end++;
				}
				if (end - i > MAX_NUMBER_DIGITS + 12) {
					return Optional.of("a number has more than " + MAX_NUMBER_DIGITS + " digits");
				}
				Optional<String> problem = number(new String(body, i, end - i, java.nio.charset.StandardCharsets.US_ASCII));
				if (problem.isPresent()) {
					return problem;
				}
				i = end - 1;
			}
		}
		return Optional.empty();
	}

	/** Skips a JSON string from just after its opening quote; the index of its closing quote, or -1 if it is invalid. */
	private static int jsonString(byte[] body, int from) {
		boolean pendingHigh = false;
		for (int i = from; i < body.length; i++) {
			byte b = body[i];
			if (b == '"') {
				return pendingHigh ? -1 : i;
			}
			if (b == '\\' && i + 1 < body.length) {
				if (body[i + 1] == 'u' && i + 5 < body.length) {
					int unit = hex(body, i + 2);
					boolean high = unit >= 0xD800 && unit <= 0xDBFF;
					boolean low = unit >= 0xDC00 && unit <= 0xDFFF;
					if (low != pendingHigh) {
						return -1;
					}
					pendingHigh = high;
					i += 5;
					continue;
				}
				i++;
			}
			if (pendingHigh) {
				return -1;
			}
		}
		return body.length;
	}

	private static int hex(byte[] body, int at) {
		int value = 0;
		for (int k = 0; k < 4; k++) {
			int digit = Character.digit(body[at + k], 16);
			if (digit < 0) {
				return -1;
			}
			value = value * 16 + digit;
		}
		return value;
	}

	private static boolean isNumberByte(byte b) {
		return (b >= '0' && b <= '9') || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-';
	}

	private static Optional<String> xml(byte[] body) {
		String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
		int depth = 0;
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) != '<' || i + 1 >= text.length()) {
				continue;
			}
			char next = text.charAt(i + 1);
			if (next == '/') {
				depth--;
			} else if (next != '?' && next != '!') {
				int end = text.indexOf('>', i);
				if (end < 0 || text.charAt(end - 1) != '/') {
					if (++depth > MAX_DEPTH) {
						return Optional.of("the body is nested more than " + MAX_DEPTH + " levels deep");
					}
				}
			}
		}
		Matcher reference = XML_CHAR_REFERENCE.matcher(text);
		while (reference.find()) {
			String code = reference.group(1);
			long value = code.startsWith("x") ? Long.parseLong(code.substring(1), 16) : Long.parseLong(code);
			if (value >= 0xD800 && value <= 0xDFFF) {
				return Optional.of("a character reference names a lone surrogate (invalid UTF-16)");
			}
		}
		Matcher attribute = XML_ATTRIBUTE_VALUE.matcher(text);
		while (attribute.find()) {
			Optional<String> problem = number(attribute.group(1).trim());
			if (problem.isPresent()) {
				return problem;
			}
		}
		return Optional.empty();
	}

	/** Checks text that is a number; text that is not one passes (it is not this check's business). */
	static Optional<String> number(String text) {
		if (text.isEmpty() || text.length() > 100_000) {
			return text.isEmpty() ? Optional.empty() : Optional.of("a value is over 100000 characters");
		}
		Matcher number = NUMBER.matcher(text);
		if (!number.matches() || (number.group(1).isEmpty() && (number.group(2) == null || number.group(2).isEmpty()))) {
			return Optional.empty();
		}
		int digits = number.group(1).length() + (number.group(2) == null ? 0 : number.group(2).length());
		if (digits > MAX_NUMBER_DIGITS) {
			return Optional.of("a number has more than " + MAX_NUMBER_DIGITS + " digits");
		}
		String exponent = number.group(3);
		if (exponent != null) {
			String magnitude = exponent.replaceFirst("^[+-]", "").replaceFirst("^0+(?=.)", "");
			if (magnitude.length() > 4 || Integer.parseInt(magnitude) > MAX_EXPONENT) {
				return Optional.of("a number's exponent is beyond " + MAX_EXPONENT + " (" + abbreviate(text) + ")");
			}
		}
		return Optional.empty();
	}

	/** CESU-8 / "modified UTF-8" surrogates: ED A0..BF xx, which no valid UTF-8 holds. */
	private static Optional<String> utf8Surrogates(byte[] body) {
		for (int i = 0; i + 1 < body.length; i++) {
			if ((body[i] & 0xFF) == 0xED && (body[i + 1] & 0xFF) >= 0xA0 && (body[i + 1] & 0xFF) <= 0xBF) {
				return Optional.of("the body holds an encoded surrogate, which is not valid UTF-8");
			}
		}
		return Optional.empty();
	}

	private static String abbreviate(String text) {
		return text.length() <= 24 ? text : text.substring(0, 20) + "...";
	}
}
