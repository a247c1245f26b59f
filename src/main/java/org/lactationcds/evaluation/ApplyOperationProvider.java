package org.lactationcds.evaluation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.util.FhirTerser;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.lactationcds.dyad.Dyad;
import org.lactationcds.dyad.DyadAssembler;
import org.lactationcds.dyad.LocalFhirDataSource;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.lactationcds.knowledge.KnowledgeSnapshot;

/**
 * {@code PlanDefinition/{id}/$apply?subject=Patient/{id}} on the knowledge the server runs (not on whatever
 * PlanDefinition the store holds), with the dyad's data from the store, read as the caller; answers the CarePlan.
 *
 * <p>The dyad is assembled as the CDS service assembles it (same reads, same members), so that both answer the same
 * for the same patient and data. Rules ({@code eca-rule} PlanDefinitions) are applied for every subject the CDS
 * service evaluates (a mother and all her infants; an infant and its mother); the answer is the subject's CarePlan
 * with the other members' activities added, each activity naming its patient in the extension
 * {@value #ACTIVITY_SUBJECT}. A protocol (any other type) is a plan for the subject alone, as a card's suggestion
 * applies it. Data that could not be read is listed in a note, as the CDS service's card lists it.
 */
public class ApplyOperationProvider {

	/** Whose data fired an activity: every member's activities are in one CarePlan. */
	static final String ACTIVITY_SUBJECT = "http://lactation-cds.org/fhir/StructureDefinition/activity-subject";
	private static final String ECA_RULE = "eca-rule";

	private final KnowledgeLoader knowledge;
	private final DaoRegistry daoRegistry;
	private final LocalFhirDataSource store;
	private final DyadAssembler dyads;
	private final FhirContext fhirContext;
	private final Clock clock;

	ApplyOperationProvider(KnowledgeLoader knowledge, DaoRegistry daoRegistry, LocalFhirDataSource store,
			DyadAssembler dyads, FhirContext fhirContext, Clock clock) {
		this.knowledge = knowledge;
		this.daoRegistry = daoRegistry;
		this.store = store;
		this.dyads = dyads;
		this.fhirContext = fhirContext;
		this.clock = clock;
	}

	@Operation(name = "$apply", idempotent = true, type = PlanDefinition.class)
	public CarePlan apply(
			@IdParam IdType planDefinitionId,
			@OperationParam(name = "subject", min = 1, max = 1) StringType subject,
			RequestDetails request) {
		KnowledgeSnapshot snapshot = knowledge.current();
		PlanDefinition plan = snapshot.planDefinition(planDefinitionId.getIdPart())
				.orElseThrow(() -> new ResourceNotFoundException("PlanDefinition/" + planDefinitionId.getIdPart()
						+ " is not part of the knowledge this server runs"));
		IdType patient = patientId(subject);
		// The subject as any read of the caller's: 404 when absent, refused when the caller may not read it.
		daoRegistry.getResourceDao("Patient").read(patient, request);
		Dyad dyad = dyads.assemble(patient.getIdPart(), snapshot.dataRequirements(plan), store.asCaller(request));
		Bundle data = dyad.data().toBundle();
		Instant now = clock.instant();
		PlanDefinitionEvaluator evaluator = new PlanDefinitionEvaluator(snapshot.content(), snapshot.settings());
		boolean rules = plan.getType().getCoding().stream().anyMatch(coding -> ECA_RULE.equals(coding.getCode()));

		CarePlan answer = null;
		for (String member : dyad.subjects(false).keySet()) {
			if (!rules && answer != null) {
				break;
			}
			CarePlan applied = evaluator.applyAsCarePlan(new EvaluationRequest(plan.getUrl() + "|" + plan.getVersion(),
					member, data, now, null, null, clock.getZone()));
			if (answer == null) {
				answer = applied;
				applied.getActivity().forEach(activity -> activity.addExtension(ACTIVITY_SUBJECT, new Reference(member)));
			} else {
				addMember(answer, applied, member);
			}
		}
		if (!rules) {
			infantGoals(answer, plan, dyad, dyad.subjects(false).keySet().iterator().next());
		}
		if (!dyad.unavailable().isEmpty()) {
			answer.addNote(new Annotation().setText("Some data could not be read, so rules that need it could not fire "
					+ "(the absence of an activity does not mean this data is reassuring):\n- "
					+ String.join("\n- ", dyad.unavailable())));
		}
		return answer;
	}

	/**
	 * A protocol applied for a mother with one infant: the goals the PlanDefinition marks as the infant's get the infant
	 * as subject, as in the CarePlan a card suggests (with several infants the protocol does not say whose they are).
	 */
	private static void infantGoals(CarePlan answer, PlanDefinition plan, Dyad dyad, String subject) {
		List<String> infants = dyad.members().entrySet().stream()
				.filter(member -> member.getValue() == Dyad.Role.INFANT && !subject.equals("Patient/" + member.getKey()))
				.map(member -> "Patient/" + member.getKey())
				.toList();
		if (infants.size() == 1) {
			GoalSubjects.assignInfantGoals(answer, plan, infants.get(0));
		}
	}

	/**
	 * Adds another member's activities, goals and contained requests to the answer. Contained ids are local to a
	 * CarePlan, so the member's are suffixed with its id (the same rule firing for mother and infant would otherwise
	 * give two resources one id) and the references to them follow.
	 */
	private void addMember(CarePlan answer, CarePlan applied, String member) {
		String suffix = "-" + new IdType(member).getIdPart();
		List<Resource> contained = new ArrayList<>(applied.getContained());
		applied.getContained().clear();
		Map<String, String> renamed = new HashMap<>();
		for (Resource resource : contained) {
			String id = resource.getIdElement().getIdPart().replaceFirst("^#", "");
			renamed.put("#" + id, "#" + id + suffix);
			resource.setId(id + suffix);
		}
		FhirTerser terser = fhirContext.newTerser();
		List<Resource> referring = new ArrayList<>(contained);
		referring.add(applied);
		for (Resource resource : referring) {
			for (Reference reference : terser.getAllPopulatedChildElementsOfType(resource, Reference.class)) {
				String target = renamed.get(reference.getReference());
				if (target != null) {
					reference.setReference(target);
				}
			}
		}
		answer.getContained().addAll(contained);
		applied.getGoal().forEach(answer::addGoal);
		applied.getActivity().forEach(activity -> {
			activity.addExtension(ACTIVITY_SUBJECT, new Reference(member));
			answer.addActivity(activity);
		});
		answer.addSupportingInfo(new Reference(member));
	}

	private static IdType patientId(StringType subject) {
		IdType id = new IdType(subject == null ? null : subject.getValue());
		if (!"Patient".equals(id.getResourceType()) || !id.hasIdPart()) {
			throw new InvalidRequestException("subject must be Patient/<id>, got: " + (subject == null ? null : subject.getValue()));
		}
		return id.toUnqualifiedVersionless();
	}
}
