package org.lactationcds.security;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SMART on FHIR resource scope, v2 ({@code patient/Observation.rs}, {@code system/*.cruds}) or v1
 * ({@code user/Observation.read}, {@code patient/*.write}, {@code .*}), as the permissions it grants.
 *
 * @param level {@code patient}, {@code user} or {@code system}
 * @param resourceType a resource type, or {@code *}
 * @param permissions among c (create), r (read), u (update), d (delete), s (search)
 */
public record SmartScope(String level, String resourceType, Set<Character> permissions) {

	private static final Pattern SCOPE = Pattern.compile("^(patient|user|system)/(\\*|[A-Z][A-Za-z]+)\\.(read|write|\\*|c?r?u?d?s?)(\\?.*)?$");

	public static Optional<SmartScope> parse(String scope) {
		Matcher matcher = SCOPE.matcher(scope);
		if (!matcher.matches() || matcher.group(3).isEmpty() || matcher.group(4) != null) {
			// scopes with query restrictions (?category=...) are not honoured: they grant nothing here
			return Optional.empty();
		}
		String permissions = switch (matcher.group(3)) {
			case "read" -> "rs";
			case "write" -> "cud";
			case "*" -> "cruds";
			default -> matcher.group(3);
		};
		return Optional.of(new SmartScope(matcher.group(1), matcher.group(2),
				permissions.chars().mapToObj(c -> (char) c).collect(java.util.stream.Collectors.toUnmodifiableSet())));
	}

	public boolean allows(char permission) {
		return permissions.contains(permission);
	}
}
