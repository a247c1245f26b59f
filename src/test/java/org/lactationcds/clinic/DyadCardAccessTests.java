package org.lactationcds.clinic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.lactationcds.caller.Caller;
import org.lactationcds.dyad.BundleDataSource;
import org.lactationcds.dyad.FhirDataSource;

/**
 * Who may see a dyad's cards in the clinic app: the SMART launch patient and her mother or infant; a system reader;
 * everyone on the open default; nobody else, and nothing read about an unrelated patient beyond dyad links.
 */
class DyadCardAccessTests {

	/** Mother m1 and infant i1 (a dyad); o1 another patient with no link to them. */
	static final FhirDataSource STORE = new BundleDataSource(dyad());

	final DyadCardAccess secured = new DyadCardAccess(true);

	@Test
	void checkWhenTokenPatientIsThePatientAllows() {
		assertThatCode(() -> secured.check(launch("i1"), "i1", STORE)).doesNotThrowAnyException();
	}

	@Test
	void checkWhenPatientIsTheMotherOfTheTokenPatientAllows() {
		assertThatCode(() -> secured.check(launch("i1"), "m1", STORE)).doesNotThrowAnyException();
	}

	@Test
	void checkWhenPatientIsTheInfantOfTheTokenPatientAllows() {
		assertThatCode(() -> secured.check(launch("m1"), "i1", STORE)).doesNotThrowAnyException();
	}

	@Test
	void checkWhenSystemScopesReadPatientsAndObservationsAllowsAnyPatient() {
		Caller backend = new Caller(true, "integration", "https://auth.example.org",
				Set.of("system/Patient.rs", "system/Observation.rs"), null);
		assertThatCode(() -> secured.check(backend, "o1", STORE)).doesNotThrowAnyException();
	}

	@Test
	void checkWhenOpenDefaultAllowsWithoutToken() {
		assertThatCode(() -> new DyadCardAccess(false).check(Caller.ANONYMOUS, "o1", STORE)).doesNotThrowAnyException();
	}

	@Nested
	class Refused {

		@Test
		void checkWhenNoTokenIs401() {
			assertRefused(Caller.ANONYMOUS, "i1", 401, "bearer token");
		}

		@Test
		void checkWhenAnotherPatientIs403() {
			assertRefused(launch("i1"), "o1", 403, "Patient/o1 is neither the launch patient nor her mother or infant");
			assertRefused(launch("o1"), "m1", 403, "Patient/m1 is neither");
		}

		@Test
		void checkWhenUserScopesOnlyIs403() {
			assertRefused(new Caller(true, "app", "iss", Set.of("user/*.rs"), "i1"), "i1", 403, "patient/ scope");
		}

		@Test
		void checkWhenPatientScopeWithoutPatientClaimIs403() {
			assertRefused(new Caller(true, "app", "iss", Set.of("patient/*.rs"), null), "i1", 403, "no patient in context");
		}

		@Test
		void checkWhenScopeDoesNotReadObservationsIs403() {
			assertRefused(new Caller(true, "app", "iss", Set.of("patient/Patient.rs"), "i1"), "i1", 403, "reading Observation");
		}

		@Test
		void checkWhenRefusedWithoutLinksReadsNothing() {
			List<String> queries = new ArrayList<>();
			FhirDataSource recording = new FhirDataSource() {
				@Override
				public List<Resource> fetch(String query) {
					queries.add(query);
					return STORE.fetch(query);
				}

				@Override
				public java.util.Optional<List<Resource>> remainingPages(Bundle firstPage) {
					return java.util.Optional.empty();
				}

				@Override
				public String describe() {
					return "recording";
				}
			};
			assertRefused(Caller.ANONYMOUS, "i1", 401, "bearer", recording);
			assertRefused(new Caller(true, "app", "iss", Set.of("user/*.rs"), "i1"), "i1", 403, "patient/", recording);
			assertThat(queries).isEmpty();
			assertRefused(launch("i1"), "o1", 403, "neither", recording);
			assertThat(queries).allMatch(query -> query.startsWith("RelatedPerson?patient=") || query.startsWith("Patient?link="));
		}

		void assertRefused(Caller caller, String patient, int status, String message) {
			assertRefused(caller, patient, status, message, STORE);
		}

		void assertRefused(Caller caller, String patient, int status, String message, FhirDataSource source) {
			assertThatThrownBy(() -> secured.check(caller, patient, source))
					.isInstanceOfSatisfying(DyadCardAccess.Refused.class, refused -> {
						assertThat(refused.status()).isEqualTo(status);
						assertThat(refused.getMessage()).contains(message);
					});
		}
	}

	static Caller launch(String patient) {
		return new Caller(true, "clinic-app", "https://auth.example.org", Set.of("launch", "patient/*.rs"), patient);
	}

	static List<Resource> dyad() {
		RelatedPerson mother = new RelatedPerson();
		mother.setId("RelatedPerson/rp1");
		mother.setPatient(new Reference("Patient/i1"));
		mother.addRelationship().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/v3-RoleCode").setCode("MTH");
		Patient m1 = new Patient();
		m1.setId("Patient/m1");
		m1.addLink().setOther(new Reference("RelatedPerson/rp1"));
		Patient i1 = new Patient();
		i1.setId("Patient/i1");
		Patient o1 = new Patient();
		o1.setId("Patient/o1");
		return List.of(mother, m1, i1, o1);
	}
}
