package org.lactationcds.cds.card;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r4.model.ActivityDefinition;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CommunicationRequest;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedArtifact;
import org.hl7.fhir.r4.model.RequestGroup;
import org.hl7.fhir.r4.model.RequestGroup.RequestGroupActionComponent;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Type;
import org.lactationcds.dyad.PatientData;

/**
 * Turns an applicable action of the red-flag PlanDefinition (one rule, evaluated for one dyad member) into a CDS Hooks
 * card. Everything clinical comes from the knowledge: summary and detail are the action's dynamic title and
 * description, the indicator its priority, the guideline its documentation, the suggestions its child actions (with
 * the resources the engine built from their ActivityDefinitions), the override reasons its extensions.
 */
public final class CardMapper {

	public static final String SUGGESTION_TARGET = "http://lactation-cds.org/fhir/StructureDefinition/suggestion-target";
	public static final String SUGGESTION_UPDATE = "http://lactation-cds.org/fhir/StructureDefinition/suggestion-update";
	public static final String OVERRIDE_REASON = "http://lactation-cds.org/fhir/StructureDefinition/override-reason";
	/** The documentation labels of the sources that fired a rule (a medication card cites only its own drug). */
	public static final String CARD_SOURCE = "http://lactation-cds.org/fhir/StructureDefinition/card-source";
	static final String SOURCE_LABEL = "Lactation CDS";
	static final int SUMMARY_LIMIT = 140;

	private final FhirContext fhirContext;
	private final ObjectMapper json;

	public CardMapper(FhirContext fhirContext, ObjectMapper json) {
		this.fhirContext = fhirContext;
		this.json = json;
	}

	/**
	 * What a card is built from besides its action.
	 *
	 * @param subject the dyad member evaluated, {@code Patient/<id>}
	 * @param role "mother", "infant" or "patient": whose data fired the rule
	 * @param engineOutput the engine's result Bundle (the RequestGroup and the resources it proposes)
	 * @param data the evaluation data (update suggestions start from the resource as the EHR sent it)
	 * @param definitions the PlanDefinition's actions by id (a suggestion whose definition is a PlanDefinition)
	 * @param applyPlan applies a PlanDefinition canonical for the subject, as a CarePlan
	 * @param activityDefinitions the knowledge's ActivityDefinition for a (versioned) canonical
	 */
	public record Context(
			String subject,
			String role,
			Bundle engineOutput,
			PatientData data,
			Function<String, Optional<PlanDefinitionActionComponent>> definitions,
			Function<String, Optional<Resource>> applyPlan,
			Function<String, Optional<ActivityDefinition>> activityDefinitions) {

		public Context(String subject, String role, Bundle engineOutput, PatientData data,
				Function<String, Optional<PlanDefinitionActionComponent>> definitions,
				Function<String, Optional<Resource>> applyPlan) {
			this(subject, role, engineOutput, data, definitions, applyPlan, canonical -> Optional.empty());
		}
	}

	public Card toCard(RequestGroupActionComponent action, Context context) {
		org.hl7.fhir.r4.model.Coding rule = action.getCodeFirstRep().getCodingFirstRep();
		String summary = summary(action, rule);
		String detail = "**Patient:** " + patientText(context) + ".\n\n"
				+ (action.hasDescription() ? action.getDescription() : "");
		String indicator = indicator(action.getPriority());
		UUID uuid = CardUuids.card(rule.getCode(), context.subject(), indicator + "\n" + summary + "\n" + detail);

		List<Card.Suggestion> suggestions = suggestions(action, uuid, context);
		return new Card(
				uuid.toString(),
				summary,
				detail,
				indicator,
				source(action, rule),
				suggestions,
				suggestions.isEmpty() ? null : selectionBehavior(action),
				overrideReasons(action, context.definitions().apply(rule.getCode())),
				links(action));
	}

	/**
	 * Whose data fired the rule, as a clinician knows them: role, name, birth order when recorded (twins), and the
	 * FHIR id ("the infant Mia Example, 2nd of a multiple birth (Patient/inf-01)").
	 */
	static String patientText(Context context) {
		StringBuilder text = new StringBuilder("the ").append(context.role());
		context.data().get(context.subject()).filter(Patient.class::isInstance).map(Patient.class::cast).ifPresent(patient -> {
			patient.getName().stream().filter(name -> !name.getNameAsSingleString().isBlank()).findFirst()
					.ifPresent(name -> text.append(' ').append(name.getNameAsSingleString()));
			if (patient.getMultipleBirth() instanceof IntegerType order && order.getValue() != null) {
				text.append(", ").append(ordinal(order.getValue())).append(" of a multiple birth");
			}
		});
		return text.append(" (").append(context.subject()).append(')').toString();
	}

	private static String ordinal(int n) {
		String suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th" : switch (n % 10) {
			case 1 -> "st";
			case 2 -> "nd";
			case 3 -> "rd";
			default -> "th";
		};
		return n + suffix;
	}

	/** A citation as a clinician reads it: without the catalogue's internal source id ("[SEED-003] ..."). */
	static String citation(String display) {
		return display == null ? null : display.replaceFirst("^\\[[A-Z0-9-]+\\]\\s*", "");
	}

	/** RequestGroup priority to CDS Hooks indicator (clinical-rules.md section 0.2). */
	public static String indicator(RequestGroup.RequestPriority priority) {
		if (priority == null) {
			return "info";
		}
		return switch (priority) {
			case STAT, ASAP -> "critical";
			case URGENT -> "warning";
			default -> "info";
		};
	}

	private static String summary(RequestGroupActionComponent action, org.hl7.fhir.r4.model.Coding rule) {
		String summary = action.hasTitle() ? action.getTitle() : rule.getDisplay();
		// The knowledge keeps summaries short (tested); this guards the CDS Hooks limit should an edit break it.
		return summary.length() < SUMMARY_LIMIT ? summary : summary.substring(0, SUMMARY_LIMIT - 2) + "…";
	}

	/**
	 * The card's source: the rule and its first cited guideline with a public address (url); a rule that rests only on
	 * documents without one (the seed documents) names its first citation and has no url.
	 */
	private static Card.Source source(RequestGroupActionComponent action, org.hl7.fhir.r4.model.Coding rule) {
		List<RelatedArtifact> documentation = documentation(action);
		Optional<RelatedArtifact> guideline = documentation.stream().filter(RelatedArtifact::hasUrl).findFirst()
				.or(() -> documentation.stream().filter(RelatedArtifact::hasDisplay).findFirst());
		String label = SOURCE_LABEL + " · " + rule.getCode() + guideline.map(doc -> " · " + citation(doc.getDisplay())).orElse("");
		return new Card.Source(label, guideline.filter(RelatedArtifact::hasUrl).map(RelatedArtifact::getUrl).orElse(null),
				new Card.Coding(rule.getSystem(), rule.getCode(), rule.getDisplay()));
	}

	/**
	 * The action's documentation that applies to this card: documentation without a label always; labelled
	 * documentation (a drug's own source) only when the rule named that label (extension {@value #CARD_SOURCE}), the
	 * labelled ones first, as they are the most specific.
	 */
	static List<RelatedArtifact> documentation(RequestGroupActionComponent action) {
		List<String> fired = action.getExtensionsByUrl(CARD_SOURCE).stream()
				.map(Extension::getValue)
				.filter(StringType.class::isInstance)
				.map(value -> ((StringType) value).getValue())
				.toList();
		List<RelatedArtifact> applying = new ArrayList<>();
		action.getDocumentation().stream().filter(doc -> doc.hasLabel() && fired.contains(doc.getLabel())).forEach(applying::add);
		action.getDocumentation().stream().filter(doc -> !doc.hasLabel()).forEach(applying::add);
		return applying;
	}

	private static List<Card.Link> links(RequestGroupActionComponent action) {
		return documentation(action).stream()
				.filter(RelatedArtifact::hasUrl)
				.map(doc -> new Card.Link(doc.hasDisplay() ? citation(doc.getDisplay()) : doc.getUrl(), doc.getUrl(), "absolute"))
				.toList();
	}

	/**
	 * The rule's override reasons: static knowledge of its PlanDefinition action (the engine's copy may have its
	 * extensions replaced by a dynamic value, as the medication rules' card sources are).
	 */
	private static List<Card.Coding> overrideReasons(
			RequestGroupActionComponent action, Optional<PlanDefinitionActionComponent> definition) {
		List<Extension> extensions = definition.map(found -> found.getExtensionsByUrl(OVERRIDE_REASON))
				.filter(found -> !found.isEmpty())
				.orElseGet(() -> action.getExtensionsByUrl(OVERRIDE_REASON));
		return extensions.stream()
				.map(Extension::getValue)
				.filter(org.hl7.fhir.r4.model.Coding.class::isInstance)
				.map(org.hl7.fhir.r4.model.Coding.class::cast)
				.map(coding -> new Card.Coding(coding.getSystem(), coding.getCode(), coding.getDisplay()))
				.toList();
	}

	private static String selectionBehavior(RequestGroupActionComponent action) {
		return action.hasSelectionBehavior() && action.getSelectionBehavior() == RequestGroup.ActionSelectionBehavior.ATMOSTONE
				? "at-most-one"
				: "any";
	}

	private List<Card.Suggestion> suggestions(RequestGroupActionComponent action, UUID card, Context context) {
		List<Card.Suggestion> suggestions = new ArrayList<>();
		for (RequestGroupActionComponent child : action.getAction()) {
			if (child == null) {
				continue;
			}
			List<Card.Action> actions = switch (actionType(child)) {
				case "remove" -> deletions(child, context);
				case "update" -> updates(child, context);
				default -> creation(child, context);
			};
			if (!actions.isEmpty()) {
				suggestions.add(new Card.Suggestion(
						child.hasTitle() ? child.getTitle() : child.getId(),
						CardUuids.suggestion(card, child.getId()).toString(),
						actions));
			}
		}
		return suggestions;
	}

	private static String actionType(RequestGroupActionComponent child) {
		return child.getType().getCoding().stream().map(org.hl7.fhir.r4.model.Coding::getCode).findFirst().orElse("create");
	}

	private List<Card.Action> creation(RequestGroupActionComponent child, Context context) {
		Optional<PlanDefinitionActionComponent> definition = context.definitions().apply(child.getId());
		Optional<Resource> resource = definition
				.filter(PlanDefinitionActionComponent::hasDefinitionCanonicalType)
				.map(PlanDefinitionActionComponent::getDefinitionCanonicalType)
				.map(canonical -> canonical.getValue())
				.filter(canonical -> canonical.contains("/PlanDefinition/"))
				.flatMap(context.applyPlan());
		if (resource.isEmpty() && child.hasResource()) {
			resource = created(child.getResource(), context.engineOutput());
		}
		Optional<ActivityDefinition> activity = definition
				.filter(PlanDefinitionActionComponent::hasDefinitionCanonicalType)
				.flatMap(found -> context.activityDefinitions().apply(found.getDefinitionCanonicalType().getValue()));
		return resource.map(proposed -> complete(withoutId(proposed), activity, context))
				.map(proposed -> List.of(new Card.Action("create", description(child), asJson(proposed), null)))
				.orElse(List.of());
	}

	/**
	 * A suggested CommunicationRequest is a complete order (clinical-rules.md 5.13): its message is the
	 * ActivityDefinition's description, its recipient the patient when the ActivityDefinition's participant is the
	 * patient (other recipients, such as the prescriber, are not known here and are left to the clinician).
	 */
	private static Resource complete(Resource proposed, Optional<ActivityDefinition> activity, Context context) {
		if (proposed instanceof CommunicationRequest request && activity.isPresent()) {
			if (!request.hasPayload() && activity.get().hasDescription()) {
				request.addPayload().setContent(new StringType(activity.get().getDescription()));
			}
			boolean toPatient = activity.get().getParticipant().stream()
					.anyMatch(participant -> participant.getType() == ActivityDefinition.ActivityParticipantType.PATIENT);
			if (!request.hasRecipient() && toPatient) {
				request.addRecipient(new Reference(context.subject()));
			}
			if (!request.hasSubject()) {
				request.setSubject(new Reference(context.subject()));
			}
		}
		return proposed;
	}

	private List<Card.Action> deletions(RequestGroupActionComponent child, Context context) {
		return targets(child).stream()
				.map(target -> new Card.Action("delete", description(child) + " (" + target + ")", null, target))
				.toList();
	}

	private List<Card.Action> updates(RequestGroupActionComponent child, Context context) {
		List<Card.Action> actions = new ArrayList<>();
		for (String target : targets(child)) {
			Optional<Resource> current = context.data().get(target);
			if (current.isEmpty()) {
				continue;
			}
			Resource updated = current.get().copy();
			FhirTerser terser = fhirContext.newTerser();
			for (Extension update : child.getExtensionsByUrl(SUGGESTION_UPDATE)) {
				String path = ((StringType) update.getExtensionByUrl("path").getValue()).getValue();
				Type value = update.getExtensionByUrl("value").getValue();
				Extension match = update.getExtensionByUrl("match");
				if (match != null && match.getValue() instanceof Coding coding) {
					setWhereCoded(terser, updated, path, value, coding);
				} else {
					setOrAdd(terser, updated, path, value);
				}
			}
			actions.add(new Card.Action("update", description(child), asJson(updated), null));
		}
		return actions;
	}

	/** Sets a single-valued element, or adds to a repeating one (HAPI's setProperty does either), at a dotted path. */
	private static void setOrAdd(FhirTerser terser, Resource resource, String path, Type value) {
		int dot = path.lastIndexOf('.');
		Base parent = dot < 0
				? resource
				: (Base) terser.getValues(resource, resource.fhirType() + "." + path.substring(0, dot), true).get(0);
		parent.setProperty(dot < 0 ? path : path.substring(dot + 1), value.copy());
	}

	/**
	 * Sets the element at a dotted path on every parent element whose {@code code} has the given coding (system and
	 * code): "activity.detail.status" with match breast-massage cancels only the massage activities of a CarePlan.
	 */
	private static void setWhereCoded(FhirTerser terser, Resource resource, String path, Type value, Coding coding) {
		int dot = path.lastIndexOf('.');
		String parentPath = resource.fhirType() + (dot < 0 ? "" : "." + path.substring(0, dot));
		for (Object element : terser.getValues(resource, parentPath)) {
			Base parent = (Base) element;
			boolean coded = parent.getNamedProperty("code") != null && parent.getNamedProperty("code").getValues().stream()
					.filter(org.hl7.fhir.r4.model.CodeableConcept.class::isInstance)
					.flatMap(concept -> ((org.hl7.fhir.r4.model.CodeableConcept) concept).getCoding().stream())
					.anyMatch(c -> coding.getSystem().equals(c.getSystem()) && coding.getCode().equals(c.getCode()));
			if (coded) {
				parent.setProperty(dot < 0 ? path : path.substring(dot + 1), value.copy());
			}
		}
	}

	private static List<String> targets(RequestGroupActionComponent child) {
		return child.getExtensionsByUrl(SUGGESTION_TARGET).stream()
				.map(Extension::getValue)
				.filter(Reference.class::isInstance)
				.map(reference -> ((Reference) reference).getReference())
				.distinct()
				.toList();
	}

	private static String description(RequestGroupActionComponent child) {
		return child.hasDescription() ? child.getDescription() : child.hasTitle() ? child.getTitle() : "Apply the suggestion";
	}

	/** A resource the engine proposed: in its output Bundle, or contained in the RequestGroup. */
	private static Optional<Resource> created(Reference reference, Bundle output) {
		String id = reference.getReference() == null ? "" : reference.getReference();
		String idPart = id.substring(id.lastIndexOf('/') + 1).replace("#", "");
		for (Bundle.BundleEntryComponent entry : output.getEntry()) {
			Resource resource = entry.getResource();
			if (resource != null && idPart.equals(resource.getIdElement().getIdPart())) {
				return Optional.of(resource);
			}
			if (resource instanceof RequestGroup group) {
				for (Resource contained : group.getContained()) {
					if (idPart.equals(contained.getIdElement().getIdPart().replace("#", ""))) {
						return Optional.of(contained);
					}
				}
			}
		}
		return Optional.empty();
	}

	/**
	 * A suggested create is a new resource: the server that stores it gives the id, and a request is a draft until
	 * the clinician signs it (the engine marks ServiceRequests active).
	 */
	private Resource withoutId(Resource resource) {
		Resource copy = resource.copy();
		copy.setIdElement(null);
		copy.setMeta(null);
		if (fhirContext.getResourceDefinition(copy).getChildByName("status") != null) {
			try {
				copy.setProperty("status", new CodeType("draft"));
			} catch (FHIRException e) {
				// this resource's status has no draft: leave the engine's value
			}
		}
		return copy;
	}

	private JsonNode asJson(Resource resource) {
		try {
			return json.readTree(fhirContext.newJsonParser().encodeResourceToString(resource));
		} catch (JsonProcessingException e) {
			throw new IllegalStateException("HAPI wrote JSON that Jackson cannot read", e);
		}
	}
}
