package org.lactationcds.cds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lactationcds.cds.card.Card;
import org.lactationcds.cds.card.CardMapper;
import org.lactationcds.dyad.DataUnavailableException;
import org.lactationcds.dyad.DyadAssembler;
import org.lactationcds.dyad.FhirDataSource;
import org.lactationcds.knowledge.CompiledKnowledge;
import org.lactationcds.knowledge.KnowledgeSnapshot;

/**
 * Partial data is not failure (issue 15 item 2): when the dyad partner or one key cannot be read, the patient in context
 * is still evaluated and an info card says what was missing and why; only a patient in context that cannot be read at
 * all is a 412.
 */
class PartialDataTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static KnowledgeSnapshot knowledge;

	final ObjectMapper json = new ObjectMapper();
	final CdsRequestParser parser = new CdsRequestParser(json, FHIR);
	final CdsServiceInvoker invoker = new CdsServiceInvoker(
			() -> knowledge,
			new PrefetchResolver(parser),
			new DyadAssembler(),
			new CardMapper(FHIR, json),
			Clock.fixed(Instant.parse("2026-03-05T10:00:00Z"), ZoneOffset.UTC),
			new SimpleMeterRegistry(),
			new org.lactationcds.evaluation.EvaluationBudget(java.time.Duration.ofSeconds(120)));

	@BeforeAll
	static void compile() {
		knowledge = CompiledKnowledge.snapshot("classpath:org/lactationcds/cds/failing-rule");
	}

	@Test
	void invokeWhenThePartnerAnswers403EvaluatesTheMotherAndNamesWhatWasNotRead() {
		EhrWithUnreadableInfant ehr = new EhrWithUnreadableInfant("403");

		List<Card> cards = invoker.invoke(service(), request("m1"), ehr);

		assertThat(cards).extracting(Card::rule).contains("GOOD-RULE");
		Card missing = cards.get(cards.size() - 1);
		assertThat(missing.rule()).isEqualTo(CdsServiceInvoker.DATA_UNAVAILABLE);
		assertThat(missing.indicator()).isEqualTo("info");
		assertThat(missing.summary()).isEqualTo("Some data could not be read: cards may be missing");
		assertThat(missing.detail()).contains("Patient/i1").contains("answered 403").doesNotContain("token");
		assertThat(ehr.queries).anyMatch(query -> query.contains("i1"));
	}

	@Test
	void invokeWhenThePartnerTimesOutStillAnswersForTheMother() {
		List<Card> cards = invoker.invoke(service(), request("m1"), new EhrWithUnreadableInfant("timeout"));

		assertThat(cards).extracting(Card::rule).contains("GOOD-RULE", CdsServiceInvoker.DATA_UNAVAILABLE);
		assertThat(cards.get(cards.size() - 1).detail()).contains("did not answer");
	}

	@Test
	void invokeWhenEverythingIsReadableGivesNoDataCard() {
		List<Card> cards = invoker.invoke(service(), request("m1"), new EhrWithUnreadableInfant("none"));

		assertThat(cards).extracting(Card::rule).doesNotContain(CdsServiceInvoker.DATA_UNAVAILABLE);
	}

	@Test
	void invokeWhenThePatientInContextCannotBeReadIs412WithTheReason() {
		assertThatThrownBy(() -> invoker.invoke(service(), request("i1"), new EhrWithUnreadableInfant("403")))
				.isInstanceOf(DataUnavailableException.class)
				.hasMessageContaining("Patient/i1")
				.hasMessageContaining("403");
	}

	CdsServiceDefinition service() {
		return new CdsServiceCatalog("failing-rules").find("lactation-patient-view", knowledge).orElseThrow();
	}

	CdsRequest request(String patientId) {
		return parser.parse(CdsCall.of("patient-view", patientId).body().toString(), Hook.PATIENT_VIEW);
	}

	/** A mother m1 linked to infant i1; anything about i1 fails as an EHR with a mother-scoped token would. */
	static final class EhrWithUnreadableInfant implements FhirDataSource {

		final String failure;
		final List<String> queries = new CopyOnWriteArrayList<>();

		EhrWithUnreadableInfant(String failure) {
			this.failure = failure;
		}

		@Override
		public List<Resource> fetch(String query) {
			queries.add(query);
			if (query.contains("i1") && !failure.equals("none")) {
				throw new DataUnavailableException(failure.equals("timeout")
						? "FHIR server http://ehr.test/fhir/ did not answer " + query + " within 5000 ms"
						: "FHIR server http://ehr.test/fhir/ answered " + failure + " to " + query);
			}
			if (query.equals("Patient/m1")) {
				Patient mother = new Patient();
				mother.setId("m1");
				mother.addLink().setOther(new Reference("RelatedPerson/rp1")).setType(Patient.LinkType.SEEALSO);
				return List.of(mother);
			}
			if (query.equals("RelatedPerson/rp1")) {
				RelatedPerson link = new RelatedPerson().setPatient(new Reference("Patient/i1"));
				link.setId("rp1");
				link.addRelationship(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother")));
				return List.of(link);
			}
			if (query.equals("Patient/i1")) {
				return List.of(new Patient().setId("i1"));
			}
			return List.of();
		}

		@Override
		public Optional<List<Resource>> remainingPages(Bundle firstPage) {
			return Optional.empty();
		}

		@Override
		public String describe() {
			return "FHIR server http://ehr.test/fhir/";
		}
	}
}
