package org.lactationcds.cds.prefetch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.lactationcds.cds.CdsRequest;
import org.lactationcds.cds.CdsRequestParser;

/**
 * The data of the patient in context, key by key of the service's prefetch templates (CDS Hooks 2.0, "Prefetch"):
 * a key the client left out is fetched; a key sent as JSON null means no data and is not fetched; an
 * OperationOutcome means the client failed, so it is fetched; a paged Bundle is followed to its end.
 */
public final class PrefetchResolver {

	private final CdsRequestParser parser;

	public PrefetchResolver(CdsRequestParser parser) {
		this.parser = parser;
	}

	/** The patient's resources; throws {@link DataUnavailableException} when the Patient itself cannot be had. */
	public List<Resource> resolve(CdsRequest request, List<PrefetchTemplate> templates, FhirDataSource source) {
		List<Resource> resources = new ArrayList<>();
		String patientId = request.context().patientId();
		for (PrefetchTemplate template : templates) {
			String query = template.queryFor(request.context(), patientId);
			if (!request.prefetch().containsKey(template.key())) {
				resources.addAll(source.fetch(query));
				continue;
			}
			JsonNode sent = request.prefetch().get(template.key());
			if (sent.isNull()) {
				continue;
			}
			Resource resource = parser.parseResource(sent, "prefetch." + template.key());
			if (resource instanceof OperationOutcome) {
				resources.addAll(source.fetch(query));
			} else if (resource instanceof Bundle bundle) {
				if (bundle.getLink(Bundle.LINK_NEXT) == null) {
					resources.addAll(RemoteFhirDataSource.entries(bundle));
				} else {
					List<Resource> rest = source.remainingPages(bundle).orElse(null);
					if (rest == null) {
						resources.addAll(source.fetch(query));
					} else {
						resources.addAll(RemoteFhirDataSource.entries(bundle));
						resources.addAll(rest);
					}
				}
			} else {
				resources.add(resource);
			}
		}
		boolean patientFound = resources.stream()
				.anyMatch(resource -> resource instanceof Patient && patientId.equals(resource.getIdElement().getIdPart()));
		if (!patientFound) {
			throw new DataUnavailableException("Patient/" + patientId + " is neither in prefetch nor found at " + source.describe());
		}
		return resources;
	}

	/** A dyad partner's resources: never in prefetch (templates name the patient in context), always fetched. */
	public List<Resource> fetchFor(String partnerId, CdsRequest request, List<PrefetchTemplate> templates, FhirDataSource source) {
		List<Resource> resources = new ArrayList<>();
		for (PrefetchTemplate template : templates) {
			resources.addAll(source.fetch(template.queryFor(request.context(), partnerId)));
		}
		return resources;
	}
}
