package org.lactationcds.clinic;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.util.UrlUtil;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Duration;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemAnswerComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Type;

/**
 * SDC observation-based extraction of one visit: every answer to an item flagged
 * {@code sdc-questionnaire-observationExtract} (on the item or an ancestor) becomes an Observation with the item's
 * code, the answer as its value, {@code derivedFrom} the response, and the response itself is stored beside them,
 * all in one transaction Bundle. Items not flagged are kept in the response only.
 *
 * <p>Where SDC leaves the choice to the form, the Questionnaire says it with the project's extensions, so no code,
 * unit or time span is written here: {@code extraction-subject} on a group (the linkId of the item naming the group's
 * patient; otherwise the response's subject, the mother), {@code extraction-visit-time} on the item holding the visit
 * time (else {@code authored}), {@code extraction-period} (the answer covers that duration before the visit time),
 * {@code extraction-effective = subject-birth} (the answer is about the subject's birth), {@code extraction-body-site}
 * and {@code extraction-component} (a child item's answer becomes a component of its parent's Observation).
 *
 * <p>Resubmitting a response never duplicates: the response and each Observation are written with a conditional
 * update on an identifier derived from the response's own identifier, so the same response writes the same resources.
 */
final class VisitExtraction {

	static final String OBSERVATION_EXTRACT = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract";
	static final String LOCAL = "http://lactation-cds.org/fhir/StructureDefinition/";
	static final String EXTRACTION_SUBJECT = LOCAL + "extraction-subject";
	static final String EXTRACTION_VISIT_TIME = LOCAL + "extraction-visit-time";
	static final String EXTRACTION_PERIOD = LOCAL + "extraction-period";
	static final String EXTRACTION_EFFECTIVE = LOCAL + "extraction-effective";
	static final String EXTRACTION_BODY_SITE = LOCAL + "extraction-body-site";
	static final String EXTRACTION_COMPONENT = LOCAL + "extraction-component";
	/** The identifier system of extracted Observations; the value is the response's identifier value and the linkId. */
	static final String OBSERVATION_IDENTIFIER = "http://lactation-cds.org/fhir/sid/visit-observation";

	private final FhirContext fhirContext;
	/** Reads a Patient by "Patient/id" (for a birth time); throws HAPI's not-found exception when there is none. */
	private final Function<String, Patient> patients;

	VisitExtraction(FhirContext fhirContext, Function<String, Patient> patients) {
		this.fhirContext = fhirContext;
		this.patients = patients;
	}

	/** The transaction that stores the response and its Observations; 422 naming every item that is wrong. */
	Bundle transaction(Questionnaire questionnaire, QuestionnaireResponse response) {
		Problems problems = new Problems();
		Map<String, QuestionnaireItemComponent> items = new HashMap<>();
		Map<String, QuestionnaireItemComponent> parents = new HashMap<>();
		index(questionnaire.getItem(), null, items, parents);
		Identifier identifier = response.getIdentifier();
		if (identifier == null || !identifier.hasSystem() || !identifier.hasValue()) {
			problems.add(null, "the response needs an identifier (system and value): resubmitting it must not duplicate the visit");
		}
		if (response.getStatus() != QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED
				&& response.getStatus() != QuestionnaireResponse.QuestionnaireResponseStatus.AMENDED) {
			problems.add(null, "only a completed or amended response is stored, this one is " + response.getStatus());
		}
		if (!response.getSubject().getReferenceElement().getResourceType().equals("Patient")
				|| !response.getSubject().getReferenceElement().hasIdPart()) {
			problems.add(null, "the response's subject must be the mother's Patient/<id>");
		}
		Map<String, QuestionnaireResponseItemComponent> answered = new LinkedHashMap<>();
		collect(response.getItem(), items, answered, problems);
		items.values().stream()
				.filter(item -> item.getRequired() && !answered.containsKey(item.getLinkId()) && ancestorsAnswered(item, parents, answered))
				.forEach(item -> problems.add(item.getLinkId(), "is required"));
		problems.throwIfAny();

		DateTimeType visitTime = visitTime(items, answered, response, problems);
		String responseUrl = "urn:uuid:" + UUID.randomUUID();
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		QuestionnaireResponse stored = response.copy();
		stored.setId((String) null);
		transaction.addEntry().setFullUrl(responseUrl).setResource(stored).getRequest()
				.setMethod(HTTPVerb.PUT)
				.setUrl("QuestionnaireResponse?identifier=" + token(identifier.getSystem(), identifier.getValue()));
		Map<String, Patient> subjectsRead = new HashMap<>();
		for (QuestionnaireResponseItemComponent answer : answered.values()) {
			QuestionnaireItemComponent item = items.get(answer.getLinkId());
			if (!extracted(item, parents) || !item.hasCode() || !answer.hasAnswer()) {
				continue;
			}
			String subject = subject(item, parents, answered, response, problems);
			if (subject == null) {
				continue;
			}
			int index = 0;
			for (QuestionnaireResponseItemAnswerComponent value : answer.getAnswer()) {
				String idValue = identifier.getValue() + "." + item.getLinkId() + (answer.getAnswer().size() > 1 ? "." + index++ : "");
				Observation observation = observation(item, value, subject, responseUrl, idValue, visitTime, subjectsRead, problems);
				if (observation != null) {
					transaction.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(observation).getRequest()
							.setMethod(HTTPVerb.PUT)
							.setUrl("Observation?identifier=" + token(OBSERVATION_IDENTIFIER, idValue));
				}
			}
		}
		problems.throwIfAny();
		return transaction;
	}

	private Observation observation(QuestionnaireItemComponent item, QuestionnaireResponseItemAnswerComponent answer,
			String subject, String responseUrl, String idValue, DateTimeType visitTime, Map<String, Patient> subjectsRead,
			Problems problems) {
		Observation observation = new Observation()
				.setStatus(Observation.ObservationStatus.FINAL)
				.setSubject(new Reference(subject))
				.addIdentifier(new Identifier().setSystem(OBSERVATION_IDENTIFIER).setValue(idValue))
				.addDerivedFrom(new Reference(responseUrl));
		observation.setCode(new CodeableConcept());
		item.getCode().forEach(code -> observation.getCode().addCoding(code.copy()));
		observation.setValue(value(answer.getValue()));
		Extension bodySite = item.getExtensionByUrl(EXTRACTION_BODY_SITE);
		if (bodySite != null) {
			observation.setBodySite(((CodeableConcept) bodySite.getValue()).copy());
		}
		Extension effective = item.getExtensionByUrl(EXTRACTION_EFFECTIVE);
		Extension period = item.getExtensionByUrl(EXTRACTION_PERIOD);
		if (effective != null && "subject-birth".equals(effective.getValue().primitiveValue())) {
			Patient patient = subjectsRead.computeIfAbsent(subject, patients);
			DateTimeType birth = birth(patient);
			if (birth == null) {
				problems.add(item.getLinkId(), "cannot be stored: " + subject + " has no birth date");
				return null;
			}
			observation.setEffective(birth);
		} else if (period != null) {
			Duration span = (Duration) period.getValue();
			DateTimeType start = visitTime.copy();
			start.add(calendarField(span.getCode()), -span.getValue().intValueExact());
			observation.setEffective(new Period().setStartElement(start).setEndElement(visitTime.copy()));
		} else {
			observation.setEffective(visitTime.copy());
		}
		for (QuestionnaireResponseItemComponent child : answer.getItem()) {
			addComponent(observation, item, child);
		}
		return observation;
	}

	private static void addComponent(Observation observation, QuestionnaireItemComponent item, QuestionnaireResponseItemComponent child) {
		for (QuestionnaireItemComponent childItem : item.getItem()) {
			if (childItem.getLinkId().equals(child.getLinkId()) && childItem.hasExtension(EXTRACTION_COMPONENT) && child.hasAnswer()) {
				Observation.ObservationComponentComponent component = observation.addComponent();
				component.setCode(new CodeableConcept());
				childItem.getCode().forEach(code -> component.getCode().addCoding(code.copy()));
				component.setValue(value(child.getAnswerFirstRep().getValue()));
			}
		}
	}

	/** The answer as an Observation value: a Coding becomes a CodeableConcept, a decimal a unitless Quantity. */
	private static Type value(Type answer) {
		if (answer instanceof Coding coding) {
			return new CodeableConcept(coding.copy());
		}
		if (answer instanceof org.hl7.fhir.r4.model.DecimalType decimal) {
			return new Quantity().setValue(decimal.getValue());
		}
		if (answer instanceof Quantity quantity && !quantity.hasUnit()) {
			return quantity.copy().setUnit(quantity.getCode());
		}
		return answer.copy();
	}

	private static DateTimeType birth(Patient patient) {
		if (!patient.hasBirthDate()) {
			return null;
		}
		Extension time = patient.getBirthDateElement().getExtensionByUrl("http://hl7.org/fhir/StructureDefinition/patient-birthTime");
		if (time != null && time.getValue() instanceof DateTimeType exact) {
			return exact.copy();
		}
		return new DateTimeType(patient.getBirthDateElement().getValueAsString());
	}

	private static int calendarField(String ucum) {
		return switch (ucum) {
			case "h" -> java.util.Calendar.HOUR;
			case "d" -> java.util.Calendar.DATE;
			case "min" -> java.util.Calendar.MINUTE;
			default -> throw new IllegalStateException("extraction-period needs a duration in h, d or min, got " + ucum);
		};
	}

	private static DateTimeType visitTime(Map<String, QuestionnaireItemComponent> items,
			Map<String, QuestionnaireResponseItemComponent> answered, QuestionnaireResponse response, Problems problems) {
		for (QuestionnaireItemComponent item : items.values()) {
			QuestionnaireResponseItemComponent answer = answered.get(item.getLinkId());
			if (item.hasExtension(EXTRACTION_VISIT_TIME) && answer != null && answer.hasAnswer()) {
				return (DateTimeType) answer.getAnswerFirstRep().getValue();
			}
		}
		if (response.hasAuthored()) {
			return new DateTimeType(response.getAuthoredElement().getValueAsString());
		}
		problems.add(null, "the visit has no time: answer the visit time or give the response an authored time");
		problems.throwIfAny();
		return null;
	}

	/** "Patient/id" of the item's subject: the answer named by the nearest extraction-subject, else the response's. */
	private static String subject(QuestionnaireItemComponent item, Map<String, QuestionnaireItemComponent> parents,
			Map<String, QuestionnaireResponseItemComponent> answered, QuestionnaireResponse response, Problems problems) {
		for (QuestionnaireItemComponent at = item; at != null; at = parents.get(at.getLinkId())) {
			Extension named = at.getExtensionByUrl(EXTRACTION_SUBJECT);
			if (named != null) {
				QuestionnaireResponseItemComponent answer = answered.get(named.getValue().primitiveValue());
				if (answer == null || !answer.hasAnswer() || !(answer.getAnswerFirstRep().getValue() instanceof Reference reference)
						|| !"Patient".equals(reference.getReferenceElement().getResourceType())
						|| !reference.getReferenceElement().hasIdPart()) {
					problems.add(item.getLinkId(), "needs the patient it is about: answer '" + named.getValue().primitiveValue()
							+ "' with a Patient/<id>");
					return null;
				}
				return reference.getReferenceElement().toUnqualifiedVersionless().getValue();
			}
		}
		return response.getSubject().getReferenceElement().toUnqualifiedVersionless().getValue();
	}

	private static boolean extracted(QuestionnaireItemComponent item, Map<String, QuestionnaireItemComponent> parents) {
		for (QuestionnaireItemComponent at = item; at != null; at = parents.get(at.getLinkId())) {
			Extension flag = at.getExtensionByUrl(OBSERVATION_EXTRACT);
			if (flag != null) {
				return "true".equals(flag.getValue().primitiveValue());
			}
		}
		return false;
	}

	private static boolean ancestorsAnswered(QuestionnaireItemComponent item, Map<String, QuestionnaireItemComponent> parents,
			Map<String, QuestionnaireResponseItemComponent> answered) {
		QuestionnaireItemComponent parent = parents.get(item.getLinkId());
		return parent == null || parent.getType() == Questionnaire.QuestionnaireItemType.GROUP
				? parent == null || ancestorsAnswered(parent, parents, answered)
				: answered.containsKey(parent.getLinkId());
	}

	private static void index(List<QuestionnaireItemComponent> list, QuestionnaireItemComponent parent,
			Map<String, QuestionnaireItemComponent> items, Map<String, QuestionnaireItemComponent> parents) {
		for (QuestionnaireItemComponent item : list) {
			items.put(item.getLinkId(), item);
			if (parent != null) {
				parents.put(item.getLinkId(), parent);
			}
			index(item.getItem(), item, items, parents);
		}
	}

	/** Every answered item by linkId (answers' nested items included), each answer checked against its item's limits. */
	private static void collect(List<QuestionnaireResponseItemComponent> list, Map<String, QuestionnaireItemComponent> items,
			Map<String, QuestionnaireResponseItemComponent> answered, Problems problems) {
		for (QuestionnaireResponseItemComponent answer : list) {
			QuestionnaireItemComponent item = items.get(answer.getLinkId());
			if (item == null) {
				problems.add(answer.getLinkId(), "is not an item of this Questionnaire");
				continue;
			}
			if (answered.put(answer.getLinkId(), answer) != null) {
				problems.add(answer.getLinkId(), "is answered more than once");
			}
			if (answer.getAnswer().size() > 1 && !item.getRepeats()) {
				problems.add(answer.getLinkId(), "allows one answer, got " + answer.getAnswer().size());
			}
			for (QuestionnaireResponseItemAnswerComponent value : answer.getAnswer()) {
				AnswerLimits.problem(item, value).ifPresent(problem -> problems.add(item.getLinkId(), problem));
				collect(value.getItem(), items, answered, problems);
			}
			collect(answer.getItem(), items, answered, problems);
		}
	}

	private static String token(String system, String value) {
		return UrlUtil.escapeUrlParam(system + "|" + value);
	}

	/** What is wrong with a response, item by item: all of it is reported at once, in one 422. */
	private static final class Problems {
		private final List<String[]> found = new ArrayList<>();

		void add(String linkId, String problem) {
			found.add(new String[] {linkId, problem});
		}

		void throwIfAny() {
			if (found.isEmpty()) {
				return;
			}
			OperationOutcome outcome = new OperationOutcome();
			for (String[] problem : found) {
				OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
						.setSeverity(OperationOutcome.IssueSeverity.ERROR)
						.setCode(OperationOutcome.IssueType.INVALID)
						.setDiagnostics(problem[0] == null ? problem[1] : "item '" + problem[0] + "' " + problem[1]);
				if (problem[0] != null) {
					issue.addExpression("QuestionnaireResponse.item.descendants().where(linkId = '" + problem[0] + "')");
				}
			}
			throw new UnprocessableEntityException(
					found.size() == 1 ? outcome.getIssueFirstRep().getDiagnostics() : found.size() + " answers cannot be stored", outcome);
		}
	}

}
