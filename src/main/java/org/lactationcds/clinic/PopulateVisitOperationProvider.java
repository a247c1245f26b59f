package org.lactationcds.clinic;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Type;
import org.hl7.fhir.r4.model.ValueSet;
import org.lactationcds.dyad.DyadAssembler;
import org.lactationcds.knowledge.KnowledgeNotLoadedException;
import org.lactationcds.knowledge.KnowledgePackage;

/**
 * SDC {@code Questionnaire/[id]/$populate} for the visit Questionnaire: with {@code subject} the infant, answers an
 * in-progress QuestionnaireResponse whose subject is her mother (the visit form's subject) and which carries what the
 * store already knows: the infant answered in item {@code infant}, and in the read-only group {@code on-record} both
 * names, the recorded birth weight and birth time, and the last weight with its time. Only items the Questionnaire
 * has are filled; nothing is invented when nothing is on record.
 *
 * <p>Written here rather than through cqf-fhir-cr's QuestionnaireProcessor: the answers need the dyad lookup
 * (RelatedPerson MTH and Patient.link) and "latest weight" searches that SDC {@code initialExpression}s could only say
 * through a CQL Library added to the knowledge; every read is made as the caller, so the server's authorization
 * decides what a token may see.
 */
public class PopulateVisitOperationProvider {

	/** The codes of a birth weight and of a body weight are the weight rules' own, from these ValueSets of the knowledge. */
	static final String BIRTH_WEIGHT = "http://lactation-cds.org/fhir/ValueSet/birth-weight";
	static final String BODY_WEIGHT = "http://lactation-cds.org/fhir/ValueSet/body-weight";
	static final String BIRTH_TIME = "http://hl7.org/fhir/StructureDefinition/patient-birthTime";
	private static final Set<String> VALID_STATUS = Set.of("final", "amended", "corrected");

	private final DaoRegistry daoRegistry;
	private final Supplier<KnowledgePackage> knowledge;

	PopulateVisitOperationProvider(DaoRegistry daoRegistry, Supplier<KnowledgePackage> knowledge) {
		this.daoRegistry = daoRegistry;
		this.knowledge = knowledge;
	}

	@Operation(name = "$populate", type = Questionnaire.class, idempotent = true)
	public QuestionnaireResponse populate(@IdParam IdType questionnaireId, RequestDetails request) {
		String infantId = infantId(subjectOf(request));
		Questionnaire questionnaire = questionnaire(questionnaireId);
		Patient infant = patient("Patient/" + infantId, request)
				.orElseThrow(() -> new ResourceNotFoundException("Patient/" + infantId + " is not on record"));
		Optional<Patient> mother = motherOf(infantId, request);
		if (mother.isEmpty()) {
			throw new UnprocessableEntityException("Patient/" + infantId
					+ " is not linked to a mother (RelatedPerson MTH named in her Patient.link): the visit form is the dyad's");
		}

		QuestionnaireResponse response = new QuestionnaireResponse()
				.setStatus(QuestionnaireResponse.QuestionnaireResponseStatus.INPROGRESS)
				.setQuestionnaire(questionnaire.getUrl() + "|" + questionnaire.getVersion())
				.setSubject(new Reference("Patient/" + mother.get().getIdElement().getIdPart()));
		answer(response, questionnaire, "infant", new Reference("Patient/" + infantId).setDisplay(name(infant).orElse(null)));
		name(infant).ifPresent(name -> answer(response, questionnaire, "infant-name", new StringType(name)));
		name(mother.get()).ifPresent(name -> answer(response, questionnaire, "mother-name", new StringType(name)));

		Set<Coding> birthWeight = codes(BIRTH_WEIGHT);
		Set<Coding> bodyWeight = codes(BODY_WEIGHT);
		List<Observation> weights = observations(infantId, birthWeight, bodyWeight, request);
		weights.stream()
				.filter(observation -> hasCode(observation, birthWeight))
				.max(Comparator.comparing(PopulateVisitOperationProvider::lastUpdated))
				.ifPresent(recorded -> answer(response, questionnaire, "recorded-birth-weight", quantity(recorded)));
		birthTime(infant, weights, birthWeight).ifPresent(time -> answer(response, questionnaire, "recorded-birth-time", time));
		weights.stream()
				.filter(observation -> hasCode(observation, bodyWeight) && observation.hasEffectiveDateTimeType())
				.max(Comparator.comparing((Observation observation) -> observation.getEffectiveDateTimeType().getValue())
						.thenComparing(PopulateVisitOperationProvider::lastUpdated))
				.ifPresent(last -> {
					answer(response, questionnaire, "last-weight", quantity(last));
					answer(response, questionnaire, "last-weight-time", last.getEffectiveDateTimeType().copy());
				});
		return response;
	}

	/**
	 * The {@code subject} parameter: SDC's Reference ({@code valueReference} in a POSTed Parameters), or a string
	 * ({@code ?subject=Patient/x} on GET, {@code valueString}). Read here rather than bound by HAPI, whose binding takes
	 * one Java type per parameter: a String parameter refuses a Reference, a Reference parameter refuses a string.
	 * Null when absent; more than one, or another type, is 400.
	 */
	static String subjectOf(RequestDetails request) {
		if (request.getResource() instanceof Parameters parameters) {
			List<Parameters.ParametersParameterComponent> subjects = parameters.getParameter().stream()
					.filter(parameter -> "subject".equals(parameter.getName()))
					.toList();
			if (subjects.size() > 1) {
				throw new InvalidRequestException("$populate takes one parameter 'subject', got " + subjects.size());
			}
			if (subjects.size() == 1) {
				Type value = subjects.get(0).getValue();
				if (value instanceof Reference reference && reference.hasReference()) {
					return reference.getReference();
				}
				if (value instanceof StringType || value instanceof org.hl7.fhir.r4.model.UriType) {
					return value.primitiveValue();
				}
				throw new InvalidRequestException("$populate parameter 'subject' must be a valueReference with a reference "
						+ "(or a valueString) to Patient/<id>");
			}
		}
		String[] values = request.getParameters().get("subject");
		if (values != null && values.length > 1) {
			throw new InvalidRequestException("$populate takes one parameter 'subject', got " + values.length);
		}
		return values == null || values.length == 0 ? null : values[0];
	}

	/** The infant's id from {@code subject}: {@code Patient/<id>} (also as an absolute URL) or a bare id; else 400. */
	private static String infantId(String subject) {
		if (subject == null || subject.isBlank()) {
			throw new InvalidRequestException("$populate needs parameter 'subject': the infant, Patient/<id>");
		}
		IdType id = new IdType(subject.trim());
		boolean typed = subject.contains("/");
		if (!id.hasIdPart() || (typed && !"Patient".equals(id.getResourceType()))
				|| !id.getIdPart().matches("[A-Za-z0-9\\-.]{1,64}")) {
			throw new InvalidRequestException("$populate parameter 'subject' must be Patient/<id>, got: " + subject);
		}
		return id.getIdPart();
	}

	private Questionnaire questionnaire(IdType id) {
		try {
			return (Questionnaire) daoRegistry.getResourceDao("Questionnaire")
					.read(id.toUnqualifiedVersionless(), new SystemRequestDetails());
		} catch (ResourceNotFoundException | ResourceGoneException e) {
			throw new ResourceNotFoundException("Questionnaire/" + id.getIdPart() + " is not published on this server");
		}
	}

	private Optional<Patient> patient(String reference, RequestDetails request) {
		try {
			return Optional.of((Patient) daoRegistry.getResourceDao("Patient").read(new IdType(reference), request));
		} catch (ResourceNotFoundException | ResourceGoneException e) {
			return Optional.empty();
		}
	}

	/** The mother as the dyad is defined (clinical-rules.md 0.2): a RelatedPerson MTH of the infant in her Patient.link. */
	private Optional<Patient> motherOf(String infantId, RequestDetails request) {
		SearchParameterMap links = SearchParameterMap.newSynchronous("patient", new ReferenceParam("Patient/" + infantId));
		for (IBaseResource found : daoRegistry.getResourceDao("RelatedPerson").search(links, request).getAllResources()) {
			RelatedPerson link = (RelatedPerson) found;
			if (!DyadAssembler.isMotherLink(link)) {
				continue;
			}
			SearchParameterMap mothers = SearchParameterMap.newSynchronous("link",
					new ReferenceParam("RelatedPerson/" + link.getIdElement().getIdPart()));
			List<IBaseResource> patients = daoRegistry.getResourceDao("Patient").search(mothers, request).getAllResources();
			if (!patients.isEmpty()) {
				return Optional.of((Patient) patients.get(0));
			}
		}
		return Optional.empty();
	}

	/** The codes a ValueSet of the running knowledge lists (its compose, as the knowledge writes them out). */
	private Set<Coding> codes(String valueSet) {
		KnowledgePackage running;
		try {
			running = knowledge.get();
		} catch (KnowledgeNotLoadedException starting) {
			BaseServerResponseException busy = BaseServerResponseException.newInstance(503,
					"The server is still loading its knowledge; try again shortly");
			busy.addResponseHeader("Retry-After", "10");
			throw busy;
		}
		ValueSet found = running.resourcesOfType(ValueSet.class).stream()
				.filter(candidate -> valueSet.equals(candidate.getUrl()))
				.findFirst()
				.orElseThrow(() -> new InternalErrorException("the knowledge has no ValueSet " + valueSet));
		Set<Coding> codes = new java.util.HashSet<>();
		for (ValueSet.ConceptSetComponent include : found.getCompose().getInclude()) {
			include.getConcept().forEach(concept -> codes.add(new Coding(include.getSystem(), concept.getCode(), null)));
		}
		return codes;
	}

	private List<Observation> observations(String infantId, Set<Coding> birthWeight, Set<Coding> bodyWeight,
			RequestDetails request) {
		TokenOrListParam codes = new TokenOrListParam();
		birthWeight.forEach(code -> codes.add(new TokenParam(code.getSystem(), code.getCode())));
		bodyWeight.forEach(code -> codes.add(new TokenParam(code.getSystem(), code.getCode())));
		SearchParameterMap search = SearchParameterMap.newSynchronous("subject", new ReferenceParam("Patient/" + infantId))
				.add(Observation.SP_CODE, codes);
		List<Observation> found = new ArrayList<>();
		for (IBaseResource resource : daoRegistry.getResourceDao("Observation").search(search, request).getAllResources()) {
			Observation observation = (Observation) resource;
			if (observation.getValue() instanceof Quantity quantity && quantity.hasValue()
					&& VALID_STATUS.contains(observation.getStatus() == null ? "" : observation.getStatus().toCode())) {
				found.add(observation);
			}
		}
		return found;
	}

	/** Patient.birthDate's birthTime extension, else the time of the recorded birth weight. */
	private static Optional<DateTimeType> birthTime(Patient infant, List<Observation> weights, Set<Coding> birthWeight) {
		Extension birthTime = infant.getBirthDateElement().getExtensionByUrl(BIRTH_TIME);
		if (birthTime != null && birthTime.getValue() instanceof DateTimeType time && time.hasValue()) {
			return Optional.of(time.copy());
		}
		return weights.stream()
				.filter(observation -> hasCode(observation, birthWeight) && observation.hasEffectiveDateTimeType())
				.map(observation -> observation.getEffectiveDateTimeType().copy())
				.findFirst();
	}

	private static Quantity quantity(Observation observation) {
		Quantity value = ((Quantity) observation.getValue()).copy();
		if (!value.hasUnit() && value.hasCode()) {
			value.setUnit(value.getCode());
		}
		return value;
	}

	private static java.util.Date lastUpdated(Observation observation) {
		java.util.Date updated = observation.getMeta().getLastUpdated();
		return updated == null ? new java.util.Date(0) : updated;
	}

	private static boolean hasCode(Observation observation, Set<Coding> codes) {
		return observation.getCode().getCoding().stream().anyMatch(coding -> codes.stream()
				.anyMatch(code -> code.getSystem().equals(coding.getSystem()) && code.getCode().equals(coding.getCode())));
	}

	private static Optional<String> name(Patient patient) {
		for (HumanName name : patient.getName()) {
			if (name.hasText()) {
				return Optional.of(name.getText());
			}
			String joined = String.join(" ", name.getGiven().stream().map(StringType::getValue).toList())
					+ (name.hasFamily() ? " " + name.getFamily() : "");
			if (!joined.isBlank()) {
				return Optional.of(joined.trim());
			}
		}
		return Optional.empty();
	}

	/** Answers the item {@code linkId} if the Questionnaire has it, nesting the answer under the item's groups. */
	private static void answer(QuestionnaireResponse response, Questionnaire questionnaire, String linkId, Type value) {
		List<QuestionnaireItemComponent> path = path(questionnaire.getItem(), linkId);
		if (path.isEmpty()) {
			return;
		}
		List<QuestionnaireResponseItemComponent> level = response.getItem();
		QuestionnaireResponseItemComponent current = null;
		for (QuestionnaireItemComponent item : path) {
			current = level.stream().filter(existing -> existing.getLinkId().equals(item.getLinkId())).findFirst().orElse(null);
			if (current == null) {
				current = new QuestionnaireResponseItemComponent().setLinkId(item.getLinkId()).setText(item.getText());
				level.add(current);
			}
			level = current.getItem();
		}
		current.addAnswer().setValue(value);
	}

	/** The items from the top down to the one with {@code linkId}; empty when there is none. */
	private static List<QuestionnaireItemComponent> path(List<QuestionnaireItemComponent> items, String linkId) {
		for (QuestionnaireItemComponent item : items) {
			if (item.getLinkId().equals(linkId)) {
				return List.of(item);
			}
			List<QuestionnaireItemComponent> inner = path(item.getItem(), linkId);
			if (!inner.isEmpty()) {
				List<QuestionnaireItemComponent> path = new ArrayList<>();
				path.add(item);
				path.addAll(inner);
				return path;
			}
		}
		return List.of();
	}
}
