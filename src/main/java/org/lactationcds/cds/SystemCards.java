package org.lactationcds.cds;

import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.lactationcds.knowledge.KnowledgeException;

/**
 * The texts of the two cards the service itself gives, written in the knowledge beside the rules (PlanDefinition
 * extension {@value #URL}): a rule that could not be evaluated, and data that could not be read. A text names its
 * values in braces: {@code {rule}}, {@code {ruleDisplay}}, {@code {role}}, {@code {subject}}, {@code {hookInstance}}
 * for a failed rule, {@code {items}} (one "- " line per item) for the data.
 */
public record SystemCards(Text evaluationFailed, Text dataUnavailable) {

	static final String URL = "http://lactation-cds.org/fhir/StructureDefinition/system-card";

	public record Text(String summary, String detail) {

		String summary(Map<String, String> values) {
			return fill(summary, values);
		}

		String detail(Map<String, String> values) {
			return fill(detail, values);
		}

		private static String fill(String template, Map<String, String> values) {
			String text = template;
			for (Map.Entry<String, String> value : values.entrySet()) {
				text = text.replace("{" + value.getKey() + "}", value.getValue());
			}
			return text;
		}
	}

	/** Both texts from {@code plan}; a plan the CDS services answer without them is refused. */
	static SystemCards of(PlanDefinition plan) {
		return new SystemCards(text(plan, "evaluation-failed"), text(plan, "data-unavailable"));
	}

	private static Text text(PlanDefinition plan, String kind) {
		for (Extension card : plan.getExtensionsByUrl(URL)) {
			if (kind.equals(value(card, "kind"))) {
				String summary = value(card, "summary");
				String detail = value(card, "detail");
				if (summary == null || detail == null) {
					break;
				}
				return new Text(summary, detail);
			}
		}
		throw new KnowledgeException("PlanDefinition/" + plan.getIdElement().getIdPart() + " has no " + URL
				+ " extension of kind '" + kind + "' with a summary and a detail: the CDS services need its text");
	}

	static String value(Extension complex, String part) {
		List<Extension> parts = complex.getExtensionsByUrl(part);
		return parts.isEmpty() || !(parts.get(0).getValue() instanceof PrimitiveType<?> value) ? null : value.getValueAsString();
	}
}
