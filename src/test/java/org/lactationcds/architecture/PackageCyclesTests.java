package org.lactationcds.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One package per capability, and no package depends on itself through others: a cycle means two capabilities can
 * only be understood, tested and changed together. Dependencies are read from the main sources' imports (and fully
 * qualified names) of this project's own packages.
 */
class PackageCyclesTests {

	private static final Path SOURCES = Path.of("src/main/java");
	private static final Pattern PACKAGE = Pattern.compile("^package (org\\.lactationcds[\\w.]*);", Pattern.MULTILINE);
	private static final Pattern REFERENCE = Pattern.compile("\\b(org\\.lactationcds(?:\\.[a-z]\\w*)*)\\.[A-Z]");

	@Test
	void noPackageDependsOnItselfThroughOthers() throws IOException {
		Map<String, Set<String>> uses = dependencies();
		assertThat(uses).as("packages read from " + SOURCES.toAbsolutePath()).hasSizeGreaterThan(10);
		List<List<String>> cycles = new ArrayList<>();
		for (String from : uses.keySet()) {
			for (String to : uses.get(from)) {
				if (from.compareTo(to) < 0 && reaches(uses, to, from)) {
					cycles.add(List.of(from, to));
				}
			}
		}
		assertThat(cycles).as("pairs of packages that depend on each other, directly or through others").isEmpty();
	}

	@Test
	void aCycleIsFound() {
		Map<String, Set<String>> uses = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
		assertThat(reaches(uses, "b", "a")).isTrue();
		assertThat(reaches(uses, "a", "d")).isFalse();
	}

	private static Map<String, Set<String>> dependencies() throws IOException {
		Map<String, Set<String>> uses = new TreeMap<>();
		try (Stream<Path> files = Files.walk(SOURCES)) {
			for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
				String source = Files.readString(file);
				Matcher declared = PACKAGE.matcher(source);
				if (!declared.find()) {
					continue;
				}
				String own = declared.group(1);
				Set<String> used = uses.computeIfAbsent(own, p -> new TreeSet<>());
				Matcher reference = REFERENCE.matcher(source.substring(declared.end()));
				while (reference.find()) {
					if (!reference.group(1).equals(own)) {
						used.add(reference.group(1));
					}
				}
			}
		}
		return uses;
	}

	private static boolean reaches(Map<String, Set<String>> uses, String from, String target) {
		Set<String> seen = new TreeSet<>();
		List<String> next = new ArrayList<>(List.of(from));
		while (!next.isEmpty()) {
			String current = next.remove(next.size() - 1);
			if (current.equals(target)) {
				return true;
			}
			if (seen.add(current)) {
				next.addAll(uses.getOrDefault(current, Set.of()));
			}
		}
		return false;
	}
}
