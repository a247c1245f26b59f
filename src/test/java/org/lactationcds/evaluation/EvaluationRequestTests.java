package org.lactationcds.evaluation;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;

class EvaluationRequestTests {

	static final Bundle DATA = new Bundle();
	static final Instant NOW = Instant.parse("2025-03-22T08:00:00Z");

	@Test
	void newWhenPlanDefinitionIsNotVersionedFailsBecauseEditedCqlCouldGoStale() {
		assertThatThrownBy(() -> new EvaluationRequest(
						"http://lactation-cds.org/fhir/PlanDefinition/lactation-red-flags", "Patient/mom-01", DATA, NOW))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("url|version");
	}

	@Test
	void newWhenSubjectIsABareIdFailsNamingTheExpectedForm() {
		assertThatThrownBy(() -> new EvaluationRequest(
						"http://lactation-cds.org/fhir/PlanDefinition/lactation-red-flags|1.0.0", "mom-01", DATA, NOW))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("Patient/<id>");
	}
}
