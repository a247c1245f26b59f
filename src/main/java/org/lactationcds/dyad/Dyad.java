package org.lactationcds.dyad;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The patient in context, the dyad members found around them (the patient first) and everyone's data.
 *
 * @param patientId the patient in context
 * @param members every dyad member's bare id and role, the patient in context first
 * @param data the data of all members (and the draft orders of an order hook)
 * @param unavailable what could not be read and why, one line each (no tokens, no patient data beyond ids)
 */
public record Dyad(String patientId, Map<String, Role> members, PatientData data, List<String> unavailable) {

	public Dyad {
		unavailable = List.copyOf(unavailable);
	}

	/**
	 * The subjects the rules are applied for, {@code Patient/<id>} to role, the patient in context first: every member
	 * (clinical-rules.md 5.4: a call on one twin evaluates that twin and the mother, never the other twin), or only the
	 * patient in context when {@code patientInContextOnly} (order review).
	 */
	public Map<String, Role> subjects(boolean patientInContextOnly) {
		Map<String, Role> subjects = new LinkedHashMap<>();
		members.forEach((id, role) -> {
			if (!patientInContextOnly || id.equals(patientId)) {
				subjects.put("Patient/" + id, role);
			}
		});
		return subjects;
	}

	public enum Role {
		MOTHER("mother"),
		INFANT("infant"),
		/** No dyad link recorded: the rules decide from the data alone. */
		UNLINKED("patient");

		private final String label;

		Role(String label) {
			this.label = label;
		}

		public String label() {
			return label;
		}
	}
}
