package org.lactationcds.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.opencds.cqf.cql.engine.retrieve.RetrieveProvider;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.terminology.CodeSystemInfo;
import org.opencds.cqf.cql.engine.terminology.TerminologyProvider;
import org.opencds.cqf.cql.engine.terminology.ValueSetInfo;
import org.opencds.cqf.fhir.cql.engine.retrieve.RepositoryRetrieveProvider;
import org.opencds.cqf.fhir.cql.engine.retrieve.RetrieveSettings;
import org.opencds.cqf.fhir.utility.repository.InMemoryFhirRepository;

/** The indexed provider answers every retrieve the rules make exactly as the engine's own provider does. */
class RequestDataRetrieveProviderTests {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final String LOINC = "http://loinc.org";
	private static final String WEIGHTS = "http://example.org/ValueSet/weights";

	/** A value set of two LOINC weight codes; the engine asks membership code by code. */
	private static final TerminologyProvider TERMINOLOGY = new TerminologyProvider() {
		@Override
		public boolean in(Code code, ValueSetInfo valueSet) {
			return WEIGHTS.equals(valueSet.getId()) && LOINC.equals(code.getSystem())
					&& Set.of("29463-7", "8339-4").contains(code.getCode());
		}

		@Override
		public Iterable<Code> expand(ValueSetInfo valueSet) {
			return List.of(new Code().withSystem(LOINC).withCode("29463-7"), new Code().withSystem(LOINC).withCode("8339-4"));
		}

		@Override
		public Code lookup(Code code, CodeSystemInfo codeSystem) {
			return code;
		}
	};

	private final Bundle data = dyad();
	private final RetrieveProvider engines = new RepositoryRetrieveProvider(
			new InMemoryFhirRepository(FHIR, data), TERMINOLOGY, new RetrieveSettings()
					.setSearchParameterMode(RetrieveSettings.SEARCH_FILTER_MODE.FILTER_IN_MEMORY)
					.setTerminologyParameterMode(RetrieveSettings.TERMINOLOGY_FILTER_MODE.FILTER_IN_MEMORY)
					.setProfileMode(RetrieveSettings.PROFILE_MODE.OFF));
	private final RetrieveProvider indexed = new RequestDataRetrieveProvider(FHIR, data, TERMINOLOGY, () -> engines);

	@Test
	void answersTheSubjectsResourcesByValueSetCodesOrTypeAsTheEngineDoes() {
		List<Object[]> retrieves = new ArrayList<>();
		for (String subject : List.of("mother", "infant", "nobody")) {
			retrieves.add(new Object[] {"Patient", "subject", subject, "Observation", "code", null, WEIGHTS});
			retrieves.add(new Object[] {"Patient", "subject", subject, "Observation", "code",
					List.of(new Code().withSystem(LOINC).withCode("8310-5")), null});
			retrieves.add(new Object[] {"Patient", "subject", subject, "Observation", null, null, null});
			retrieves.add(new Object[] {"Patient", "subject", subject, "Condition", "code", null, WEIGHTS});
			retrieves.add(new Object[] {"Patient", "id", subject, "Patient", null, null, null});
			retrieves.add(new Object[] {"Patient", "patient", subject, "RelatedPerson", null, null, null});
		}
		retrieves.add(new Object[] {null, null, null, "Observation", "code", null, WEIGHTS});
		retrieves.add(new Object[] {null, null, null, "Patient", null, null, null});

		for (Object[] r : retrieves) {
			@SuppressWarnings("unchecked")
			List<Code> codes = (List<Code>) r[5];
			assertThat(ids(indexed.retrieve((String) r[0], (String) r[1], r[2], (String) r[3], null, (String) r[4], codes,
							(String) r[6], null, null, null, null)))
					.as(String.join(" ", String.valueOf(r[2]), (String) r[3], String.valueOf(r[6]), String.valueOf(codes)))
					.isEqualTo(ids(engines.retrieve((String) r[0], (String) r[1], r[2], (String) r[3], null, (String) r[4],
							codes, (String) r[6], null, null, null, null)));
		}
	}

	@Test
	void findsTheMothersWeightsByRelativeOrUrnReference() {
		assertThat(ids(indexed.retrieve("Patient", "subject", "mother", "Observation", null, "code", null, WEIGHTS,
						null, null, null, null)))
				.containsExactly("w-relative", "w-urn");
	}

	@Test
	void retrievesByDateAreAnsweredByTheEnginesProvider() {
		RetrieveProvider enginesStandIn = (context, contextPath, contextValue, dataType, templateId, codePath, codes, valueSet,
				datePath, dateLowPath, dateHighPath, dateRange) -> List.of("answered by the engine's provider");
		RetrieveProvider provider = new RequestDataRetrieveProvider(FHIR, data, TERMINOLOGY, () -> enginesStandIn);
		assertThat(provider.retrieve("Patient", "subject", "mother", "Observation", null, "code", null, WEIGHTS,
						"effective", null, null, null))
				.containsExactly("answered by the engine's provider");
	}

	private static List<String> ids(Iterable<?> resources) {
		return StreamSupport.stream(resources.spliterator(), false)
				.map(r -> ((Resource) r).getIdElement().getIdPart())
				.sorted()
				.collect(Collectors.toList());
	}

	private static Bundle dyad() {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
		add(bundle, new Patient().setId("mother"));
		add(bundle, new Patient().setId("infant"));
		add(bundle, (Resource) new RelatedPerson().setPatient(new Reference("Patient/infant")).setId("mth"));
		add(bundle, observation("w-relative", "Patient/mother", LOINC, "29463-7"));
		add(bundle, observation("w-absolute", "http://ehr.example.org/fhir/Patient/mother", LOINC, "29463-7"));
		add(bundle, observation("w-urn", "urn:uuid:mother", LOINC, "8339-4"));
		add(bundle, observation("t-mother", "Patient/mother", LOINC, "8310-5"));
		add(bundle, observation("w-other-system", "Patient/mother", "http://example.org/local", "29463-7"));
		add(bundle, observation("w-infant", "Patient/infant", LOINC, "29463-7"));
		add(bundle, observation("w-no-subject", null, LOINC, "29463-7"));
		add(bundle, (Resource) new Condition().setSubject(new Reference("Patient/mother"))
				.setCode(new CodeableConcept(new Coding(LOINC, "29463-7", null))).setId("c-mother"));
		return bundle;
	}

	private static Observation observation(String id, String subject, String system, String code) {
		Observation observation = new Observation();
		observation.setId(id);
		if (subject != null) {
			observation.setSubject(new Reference(subject));
		}
		observation.setCode(new CodeableConcept(new Coding(system, code, null)));
		return observation;
	}

	private static void add(Bundle bundle, Resource resource) {
		bundle.addEntry().setFullUrl(resource.fhirType() + "/" + resource.getIdElement().getIdPart()).setResource(resource);
	}
}
