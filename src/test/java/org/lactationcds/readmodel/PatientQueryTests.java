package org.lactationcds.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PatientQueryTests {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@ParameterizedTest
	@CsvSource({
		"Patient/p-1, p-1",
		"Observation?patient=p-1&_sort=-date&_count=200, p-1",
		"Observation?patient=Patient/p-1, p-1",
		"Observation?patient=Patient%2Fp-1&code=http://loinc.org|29463-7, p-1",
		"CarePlan?patient=p-1&status=active, p-1",
		"RelatedPerson?patient=p-1, p-1"
	})
	void ownerOfWhenTheAnswerIsInOnePatientsCompartmentNamesThePatient(String query, String patient) {
		assertThat(PatientQuery.ownerOf(query, FHIR)).contains(patient);
	}

	@ParameterizedTest
	@ValueSource(strings = {
		"RelatedPerson/rp-1",
		"Patient?link=RelatedPerson/rp-1",
		"Patient/p-1/_history/2",
		"Observation?subject=Patient/p-1",
		"Observation?patient=p-1,p-2",
		"Observation?patient=p-1&patient=p-2",
		"Observation?patient=p-1&code:in=http://example.org/ValueSet/x",
		"Observation?patient=p-1&subject.name=x",
		"Observation?patient=p-1&_include=Observation:subject",
		"Observation?patient=p-1&_has:Observation:subject:code=x",
		"Organization?patient=p-1",
		"NoSuchType?patient=p-1",
		"Observation?code=x"
	})
	void ownerOfWhenTheAnswerMayDependOnOtherResourcesIsEmpty(String query) {
		assertThat(PatientQuery.ownerOf(query, FHIR)).isEmpty();
	}
}
