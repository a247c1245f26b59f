package org.lactationcds.cds;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.lactationcds.dyad.DataUnavailableException;
import org.lactationcds.cds.prefetch.RemoteFhirDataSource;
import org.lactationcds.dyad.FhirDataSource;

/**
 * The data of the patient in context, key by key of the service's prefetch templates (CDS Hooks 2.0, "Prefetch"):
 * a key the client left out is fetched; a key sent as JSON null means no data and is not fetched; an
 * OperationOutcome means the client failed, so it is fetched; a paged Bundle is followed to its end.
 *
 * <p>Partial data is not failure: a key that cannot be had (403, 404, timeout, over a budget) is noted in
 * {@code unavailable} and the others are still used; only the Patient itself is required.
 */
public final class PrefetchResolver {

	private final CdsRequestParser parser;

	public PrefetchResolver(CdsRequestParser parser) {
		this.parser = parser;
	}

	/**
	 * The patient's resources; throws {@link DataUnavailableException} when the Patient itself cannot be had. What
	 * could not be read is added to {@code unavailable}, one line per key, in plain words.
	 */
	public List<Resource> resolve(
			CdsRequest request, List<PrefetchTemplate> templates, FhirDataSource source, List<String> unavailable) {
		List<Resource> resources = new ArrayList<>();
		String patientId = request.context().patientId();
		List<String> failures = new ArrayList<>();
		for (PrefetchTemplate template : templates) {
			try {
				resolveKey(request, template, source, resources);
			} catch (DataUnavailableException e) {
				failures.add("'" + template.key() + "' of Patient/" + patientId + ": " + e.getMessage());
			}
		}
		boolean patientFound = resources.stream()
				.anyMatch(resource -> resource instanceof Patient && patientId.equals(resource.getIdElement().getIdPart()));
		if (!patientFound) {
			throw new DataUnavailableException("Patient/" + patientId + " is neither in prefetch nor found at " + source.describe()
					+ (failures.isEmpty() ? "" : " (" + String.join("; ", failures) + ")"));
		}
		unavailable.addAll(failures);
		return resources;
	}

	private void resolveKey(CdsRequest request, PrefetchTemplate template, FhirDataSource source, List<Resource> resources) {
		String patientId = request.context().patientId();
		{
			String query = template.queryFor(request.context(), patientId);
			if (!request.prefetch().containsKey(template.key())) {
				resources.addAll(source.fetch(query));
				return;
			}
			JsonNode sent = request.prefetch().get(template.key());
			if (sent.isNull()) {
				return;
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
	}
}
