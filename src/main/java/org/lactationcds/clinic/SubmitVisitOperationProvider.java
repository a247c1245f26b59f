package org.lactationcds.clinic;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.param.UriParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.QuestionnaireResponse;

/**
 * {@code POST /fhir/QuestionnaireResponse/$submit-visit} with a completed QuestionnaireResponse of a visit
 * Questionnaire (as the body, or as parameter {@code questionnaire-response}): checks every answer against the
 * Questionnaire, then stores the response and the Observations extracted from it in one transaction and answers the
 * transaction-response Bundle. Nothing is stored when an answer is refused (422 naming the items). The patients the
 * Observations are about must be the response's subject (the mother) or an infant linked to her (clinical-rules.md
 * section 0.2): a visit never writes onto another patient.
 */
public class SubmitVisitOperationProvider {

	private final FhirContext fhirContext;
	private final DaoRegistry daoRegistry;
	private final IFhirSystemDao<Bundle, ?> systemDao;

	SubmitVisitOperationProvider(FhirContext fhirContext, DaoRegistry daoRegistry, IFhirSystemDao<Bundle, ?> systemDao) {
		this.fhirContext = fhirContext;
		this.daoRegistry = daoRegistry;
		this.systemDao = systemDao;
	}

	@Operation(name = "$submit-visit", type = QuestionnaireResponse.class)
	public Bundle submitVisit(
			@OperationParam(name = "questionnaire-response", min = 1, max = 1) QuestionnaireResponse response,
			RequestDetails request) {
		if (response == null) {
			throw new InvalidRequestException("$submit-visit needs a QuestionnaireResponse (the body, or parameter 'questionnaire-response')");
		}
		Questionnaire questionnaire = questionnaire(response.getQuestionnaire());
		String mother = response.getSubject().getReferenceElement().toUnqualifiedVersionless().getValue();
		VisitExtraction extraction = new VisitExtraction(fhirContext, reference -> patient(reference, request));
		Bundle transaction = extraction.transaction(questionnaire, response);
		Patient motherPatient = patient(mother, request);
		Set<String> subjects = new LinkedHashSet<>();
		transaction.getEntry().stream()
				.filter(entry -> entry.getResource() instanceof Observation)
				.forEach(entry -> subjects.add(((Observation) entry.getResource()).getSubject().getReference()));
		subjects.remove(mother);
		for (String infant : subjects) {
			requireInfantOf(motherPatient, infant, request);
		}
		return systemDao.transaction(request, transaction);
	}

	/** The Questionnaire a response answers: by versioned canonical (url|version) among the published knowledge. */
	private Questionnaire questionnaire(String canonical) {
		if (canonical == null || !canonical.contains("|")) {
			throw new UnprocessableEntityException("QuestionnaireResponse.questionnaire must be a versioned canonical (url|version), got: " + canonical);
		}
		String url = canonical.substring(0, canonical.indexOf('|'));
		String version = canonical.substring(canonical.indexOf('|') + 1);
		SearchParameterMap search = SearchParameterMap.newSynchronous()
				.add(Questionnaire.SP_URL, new UriParam(url))
				.add(Questionnaire.SP_VERSION, new TokenParam(version));
		List<IBaseResource> found = daoRegistry.getResourceDao("Questionnaire")
				.search(search, new SystemRequestDetails())
				.getAllResources();
		if (found.isEmpty()) {
			throw new UnprocessableEntityException("no Questionnaire " + canonical + " is published on this server");
		}
		return (Questionnaire) found.get(0);
	}

	private Patient patient(String reference, RequestDetails request) {
		try {
			return (Patient) daoRegistry.getResourceDao("Patient").read(new IdType(reference), request);
		} catch (ResourceNotFoundException | ResourceGoneException e) {
			throw new UnprocessableEntityException(reference + " does not exist: a visit is recorded for patients on record");
		}
	}

	/** The infant is the patient of a mother RelatedPerson that the mother's Patient.link points at. */
	private void requireInfantOf(Patient mother, String infant, RequestDetails request) {
		patient(infant, request);
		Set<String> links = new LinkedHashSet<>();
		mother.getLink().forEach(link -> links.add(link.getOther().getReferenceElement().toUnqualifiedVersionless().getValue()));
		SearchParameterMap search = SearchParameterMap.newSynchronous("patient", new ReferenceParam(infant));
		boolean linked = daoRegistry.getResourceDao("RelatedPerson").search(search, request).getAllResources().stream()
				.anyMatch(person -> links.contains(person.getIdElement().toUnqualifiedVersionless().getValue()));
		if (!linked) {
			throw new UnprocessableEntityException(infant + " is not linked to " + mother.getIdElement().toUnqualifiedVersionless().getValue()
					+ " as her infant (RelatedPerson with patient = the infant, in the mother's Patient.link)");
		}
	}
}
