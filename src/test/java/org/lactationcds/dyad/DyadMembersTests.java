package org.lactationcds.dyad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

/** Who the dyad links name around a patient: what patient scopes cover when they cover the dyad. */
class DyadMembersTests {

	/** Mother m1 with infant i1 (MTH); o1 unlinked; x1 named by a RelatedPerson that is not a mother link. */
	final FhirDataSource store = new BundleDataSource(List.of(
			related("rp1", "i1", "MTH"), related("rp2", "x1", "FTH"),
			patient("m1", "rp1", "rp2"), patient("i1"), patient("o1"), patient("x1")));

	@Test
	void membersAroundInfantAreSheAndHerMother() {
		assertThat(DyadAssembler.membersAround("i1", store)).containsExactlyInAnyOrder("i1", "m1");
	}

	@Test
	void membersAroundMotherAreSheAndHerInfantButNotAnotherRelation() {
		assertThat(DyadAssembler.membersAround("m1", store)).containsExactlyInAnyOrder("m1", "i1");
	}

	@Test
	void membersAroundUnlinkedPatientIsSheAlone() {
		assertThat(DyadAssembler.membersAround("o1", store)).containsExactly("o1");
		assertThat(DyadAssembler.membersAround("x1", store)).as("a father link is not a dyad").containsExactly("x1");
	}

	static RelatedPerson related(String id, String patient, String code) {
		RelatedPerson related = new RelatedPerson();
		related.setId("RelatedPerson/" + id);
		related.setPatient(new Reference("Patient/" + patient));
		related.addRelationship().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/v3-RoleCode").setCode(code);
		return related;
	}

	static Resource patient(String id, String... links) {
		Patient patient = new Patient();
		patient.setId("Patient/" + id);
		for (String link : links) {
			patient.addLink().setOther(new Reference("RelatedPerson/" + link));
		}
		return patient;
	}
}
