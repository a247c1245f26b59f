package org.lactationcds.cds;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lactationcds.knowledge.DataRequirement;

/**
 * A prefetch template of the discovery document and its substitution (CDS Hooks 2.0 "Prefetch tokens"): context
 * tokens {@code {{context.field}}} and the user tokens derived from {@code context.userId}.
 */
public record PrefetchTemplate(String key, String query) {

	private static final Pattern TOKEN = Pattern.compile("\\{\\{([^}]+)}}");

	/** The templates that publish {@code requirements} as prefetch. */
	public static List<PrefetchTemplate> of(List<DataRequirement> requirements) {
		return requirements.stream().map(requirement -> new PrefetchTemplate(requirement.key(), requirement.query())).toList();
	}

	/** This template as a data requirement (the partner's reads): only the patient token may be in it. */
	public DataRequirement requirement() {
		return new DataRequirement(key, query);
	}

	/** The query for a patient: every token filled from the context, the patient id replaced by {@code patientId}. */
	public String queryFor(CdsRequest.Context context, String patientId) {
		Matcher matcher = TOKEN.matcher(query);
		StringBuilder out = new StringBuilder();
		while (matcher.find()) {
			String value = tokenValue(matcher.group(1).trim(), context, patientId);
			if (value == null) {
				throw new IllegalStateException("prefetch " + key + ": no value for token " + matcher.group());
			}
			matcher.appendReplacement(out, Matcher.quoteReplacement(value));
		}
		matcher.appendTail(out);
		return out.toString();
	}

	private static String tokenValue(String token, CdsRequest.Context context, String patientId) {
		if (token.equals("context.patientId")) {
			return patientId;
		}
		if (token.startsWith("context.")) {
			return context.tokenValue(token.substring("context.".length()));
		}
		String[] user = context.userId().split("/", 2);
		return switch (token) {
			case "userPractitionerId" -> "Practitioner".equals(user[0]) ? user[1] : null;
			case "userPractitionerRoleId" -> "PractitionerRole".equals(user[0]) ? user[1] : null;
			case "userPatientId" -> "Patient".equals(user[0]) ? user[1] : null;
			case "userRelatedPersonId" -> "RelatedPerson".equals(user[0]) ? user[1] : null;
			default -> null;
		};
	}
}
