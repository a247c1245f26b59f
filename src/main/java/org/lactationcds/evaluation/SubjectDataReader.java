package org.lactationcds.evaluation;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * Reads a patient's data from the store for an evaluation that is not given its data (FHIR REST $apply): the
 * Patient and the resources the rules read, found by their patient reference. Reads are made as the caller, so
 * the server's authorization applies.
 */
final class SubjectDataReader {

	/** Resource type -> the search parameter that points at the patient. */
	private static final Map<String, String> PATIENT_REFERENCES = Map.of(
			"Observation", "subject",
			"Condition", "subject",
			"MedicationRequest", "subject",
			"MedicationStatement", "subject",
			"CarePlan", "subject",
			"Procedure", "subject",
			"ServiceRequest", "subject",
			"Goal", "subject",
			"RelatedPerson", "patient");

	private final DaoRegistry daoRegistry;

	SubjectDataReader(DaoRegistry daoRegistry) {
		this.daoRegistry = daoRegistry;
	}

	/** The subject's data; throws HAPI's ResourceNotFoundException (404) when the Patient does not exist. */
	Bundle read(IdType patient, RequestDetails request) {
		Bundle data = new Bundle().setType(Bundle.BundleType.COLLECTION);
		add(data, daoRegistry.getResourceDao("Patient").read(patient, request));
		PATIENT_REFERENCES.forEach((type, parameter) -> {
			SearchParameterMap search = SearchParameterMap.newSynchronous(parameter, new ReferenceParam(patient.getValue()));
			daoRegistry.getResourceDao(type).search(search, request).getAllResources().forEach(resource -> add(data, resource));
		});
		return data;
	}

	private static void add(Bundle data, IBaseResource resource) {
		Resource typed = (Resource) resource;
		data.addEntry().setFullUrl(typed.getIdElement().toUnqualifiedVersionless().getValue()).setResource(typed);
	}
}
