package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Prefetch token substitution (CDS Hooks 2.0 "Prefetch tokens"). */
class PrefetchTemplateTests {

	static final CdsRequest.Context CONTEXT = new CdsRequest.Context("mom-1", "PractitionerRole/r-7", "enc-9", null, null);

	@Test
	void contextTokensAreFilledAndThePatientCanBeTheDyadPartner() {
		PrefetchTemplate template = new PrefetchTemplate("obs", "Observation?patient={{context.patientId}}&encounter={{context.encounterId}}");

		assertThat(template.queryFor(CONTEXT, "mom-1")).isEqualTo("Observation?patient=mom-1&encounter=enc-9");
		assertThat(template.queryFor(CONTEXT, "inf-1")).isEqualTo("Observation?patient=inf-1&encounter=enc-9");
	}

	@Test
	void userTokensComeFromTheUserIdOfTheirType() {
		assertThat(new PrefetchTemplate("role", "PractitionerRole/{{userPractitionerRoleId}}").queryFor(CONTEXT, "mom-1"))
				.isEqualTo("PractitionerRole/r-7");
		assertThatThrownBy(() -> new PrefetchTemplate("user", "Practitioner/{{userPractitionerId}}").queryFor(CONTEXT, "mom-1"))
				.hasMessageContaining("userPractitionerId");
	}

	@Test
	void absentOptionalContextFieldIsReported() {
		CdsRequest.Context noEncounter = new CdsRequest.Context("mom-1", "Practitioner/p", null, null, null);

		assertThatThrownBy(() -> new PrefetchTemplate("enc", "Encounter/{{context.encounterId}}").queryFor(noEncounter, "mom-1"))
				.hasMessageContaining("context.encounterId");
	}
}
