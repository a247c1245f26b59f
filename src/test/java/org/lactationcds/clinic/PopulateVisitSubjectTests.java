package org.lactationcds.clinic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.Map;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Type;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** How {@code $populate} takes its {@code subject}: SDC's Reference, or a string, on GET or in a POSTed Parameters. */
class PopulateVisitSubjectTests {

	@Test
	void subjectOfWhenPostedAsValueReferenceIsItsReference() {
		assertThat(PopulateVisitOperationProvider.subjectOf(posted(new Reference("Patient/inf-1")))).isEqualTo("Patient/inf-1");
	}

	@Test
	void subjectOfWhenPostedAsValueStringIsTheString() {
		assertThat(PopulateVisitOperationProvider.subjectOf(posted(new StringType("Patient/inf-1")))).isEqualTo("Patient/inf-1");
	}

	@Test
	void subjectOfWhenGivenInTheUrlIsTheValue() {
		SystemRequestDetails request = new SystemRequestDetails();
		request.setParameters(Map.of("subject", new String[] {"Patient/inf-1"}));
		assertThat(PopulateVisitOperationProvider.subjectOf(request)).isEqualTo("Patient/inf-1");
	}

	@Test
	void subjectOfWhenAbsentIsNull() {
		assertThat(PopulateVisitOperationProvider.subjectOf(posted())).isNull();
		assertThat(PopulateVisitOperationProvider.subjectOf(new SystemRequestDetails())).isNull();
	}

	@Nested
	class Refused {

		@Test
		void subjectOfWhenAnotherTypeIs400() {
			assertThatThrownBy(() -> PopulateVisitOperationProvider.subjectOf(posted(new Coding("http://x", "y", null))))
					.isInstanceOf(InvalidRequestException.class).hasMessageContaining("valueReference");
		}

		@Test
		void subjectOfWhenReferenceHasNoReferenceIs400() {
			Reference byIdentifier = new Reference();
			byIdentifier.getIdentifier().setSystem("urn:mrn").setValue("123");
			assertThatThrownBy(() -> PopulateVisitOperationProvider.subjectOf(posted(byIdentifier)))
					.isInstanceOf(InvalidRequestException.class).hasMessageContaining("valueReference with a reference");
		}

		@Test
		void subjectOfWhenTwoSubjectsIs400() {
			assertThatThrownBy(() -> PopulateVisitOperationProvider.subjectOf(
					posted(new Reference("Patient/a"), new Reference("Patient/b"))))
					.isInstanceOf(InvalidRequestException.class).hasMessageContaining("one parameter 'subject', got 2");
		}
	}

	static SystemRequestDetails posted(Type... subjects) {
		Parameters parameters = new Parameters();
		for (Type subject : subjects) {
			parameters.addParameter().setName("subject").setValue(subject);
		}
		SystemRequestDetails request = new SystemRequestDetails();
		request.setResource(parameters);
		return request;
	}
}
