package org.lactationcds.clinic;

import java.util.List;
import java.util.Optional;
import org.lactationcds.caller.Caller;
import org.lactationcds.dyad.DyadAssembler;
import org.lactationcds.dyad.FhirDataSource;
import org.lactationcds.security.SmartScope;

/**
 * Who may see the patient-view cards of a patient's dyad in the clinic app ({@link DyadCardsController}). Decided
 * before any of the patient's data is read; only dyad links (the mother RelatedPerson and the Patient linking to it)
 * are read, and only when the token's patient is not the patient asked for.
 *
 * <ul>
 *   <li>Without FHIR issuers (the open embedded default) everyone may, as everyone may read {@code /fhir}.
 *   <li>A token whose {@code system/} scopes read Patient and Observation may, for any patient (as for
 *       {@code $populate}).
 *   <li>A SMART launch token ({@code patient/} scope reading Observation, {@code patient} claim) may for its patient
 *       and for that patient's mother or infant: the cards are the dyad's (clinical-rules.md 0.2), and the EHR
 *       launched the app for one member of it.
 *   <li>Anything else is refused: 401 without a verified token, 403 otherwise.
 * </ul>
 */
final class DyadCardAccess {

	/** A refusal with its HTTP status and a message that names no data. */
	static final class Refused extends RuntimeException {

		private final int status;

		Refused(int status, String message) {
			super(message);
			this.status = status;
		}

		int status() {
			return status;
		}
	}

	private final boolean secured;

	/** @param secured whether FHIR issuers are configured (tokens are required on /fhir) */
	DyadCardAccess(boolean secured) {
		this.secured = secured;
	}

	/**
	 * Returns when {@code caller} may see the cards of {@code patientId}'s dyad, else throws {@link Refused}.
	 *
	 * @param links where the dyad links are read (the server's own store)
	 */
	void check(Caller caller, String patientId, FhirDataSource links) {
		if (!secured) {
			return;
		}
		if (!caller.authenticated()) {
			throw new Refused(401, "a bearer token from the SMART launch is required");
		}
		List<SmartScope> scopes = caller.scopes().stream().map(SmartScope::parse).flatMap(Optional::stream).toList();
		if (reads(scopes, "system", "Patient") && reads(scopes, "system", "Observation")) {
			return;
		}
		if (!reads(scopes, "patient", "Observation") || caller.patient() == null) {
			throw new Refused(403, "the token has no patient in context with a patient/ scope reading Observation");
		}
		String launched = caller.patient();
		if (launched.equals(patientId) || DyadAssembler.mothersOf(launched, links).contains(patientId)
				|| DyadAssembler.mothersOf(patientId, links).contains(launched)) {
			return;
		}
		throw new Refused(403, "Patient/" + patientId + " is neither the launch patient nor her mother or infant");
	}

	private static boolean reads(List<SmartScope> scopes, String level, String type) {
		return scopes.stream().anyMatch(scope -> scope.level().equals(level)
				&& (scope.resourceType().equals("*") || scope.resourceType().equals(type))
				&& (scope.allows('r') || scope.allows('s')));
	}
}
