package org.lactationcds.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The clinical rule catalogue (clinical-rules.md) that the knowledge implements, as kept in the test resources: the
 * tests check the knowledge against it without depending on files outside the repository. RuleCatalogueTests keeps
 * it equal to the shared copy.
 */
public final class RuleCatalogue {

	public static final String RESOURCE = "/spec/clinical-rules.md";

	private RuleCatalogue() {}

	public static String text() {
		try (InputStream in = RuleCatalogue.class.getResourceAsStream(RESOURCE)) {
			if (in == null) {
				throw new IllegalStateException(RESOURCE + " is missing from the test resources");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new IllegalStateException("cannot read " + RESOURCE, e);
		}
	}

	/** The rule ids of section 1 (its overview table). */
	public static Set<String> ruleIds() {
		String catalogue = text();
		String overview = catalogue.substring(catalogue.indexOf("### Overview"), catalogue.indexOf("### RF-INFANT-WEIGHT-LOSS"));
		return matches(overview, "^\\| ([A-Z][A-Z0-9-]+) \\|");
	}

	/** The golden scenario sub-case ids of section 3 (GS-01a ...). */
	public static Set<String> goldenScenarioIds() {
		return matches(text(), "^\\| (GS-\\d+[a-z]?) \\|");
	}

	private static Set<String> matches(String text, String regex) {
		Matcher matcher = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
		Set<String> ids = new TreeSet<>();
		while (matcher.find()) {
			ids.add(matcher.group(1));
		}
		return ids;
	}
}
