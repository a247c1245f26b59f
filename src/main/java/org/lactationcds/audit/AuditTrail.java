package org.lactationcds.audit;

import ca.uhn.fhir.storage.interceptor.balp.BalpConstants;
import ca.uhn.fhir.storage.interceptor.balp.IBalpAuditEventSink;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.lactationcds.caller.Caller;

/**
 * The audit events this server records itself, beside those HAPI's BALP interceptor records for FHIR reads, searches
 * and writes: CDS Hooks calls, FHIR operations and knowledge publishes, in the same BALP shape (type {@code rest},
 * a RESTful-interaction subtype plus this project's subtype, client and user agents, the server as observer, the
 * patient as an entity with role "patient").
 */
public final class AuditTrail {

	/** This project's audit subtypes: {@code cds-hooks-call}, {@code knowledge-publish}, {@code knowledge-rollback}. */
	public static final String SUBTYPE_SYSTEM = "http://lactation-cds.org/fhir/CodeSystem/audit-event-subtype";
	static final String OBSERVER = "lactation-cds";

	private final IBalpAuditEventSink sink;

	public AuditTrail(IBalpAuditEventSink sink) {
		this.sink = sink;
	}

	/** A card returned by a CDS call: the rule that fired it and its indicator. */
	public record ReturnedCard(String rule, String indicator) {}

	/**
	 * A CDS Hooks call answered.
	 *
	 * @param client the trusted CDS client's issuer, or null in open mode
	 */
	public void cdsCall(String client, String service, String hook, String hookInstance, String patientId, List<ReturnedCard> cards) {
		AuditEvent event = event(AuditEvent.AuditEventAction.E, "operation", "cds-hooks-call");
		event.addAgent(agent(client == null
				? new Reference().setDisplay("anonymous (open mode)")
				: new Reference().setIdentifier(new Identifier().setSystem("urn:ietf:rfc:3986").setValue(client)).setDisplay(client)));
		if (patientId != null) {
			event.addEntity(patient("Patient/" + patientId));
		}
		AuditEvent.AuditEventEntityComponent call = event.addEntity()
				.setType(new Coding(BalpConstants.CS_AUDIT_ENTITY_TYPE, BalpConstants.CS_AUDIT_ENTITY_TYPE_2_SYSTEM_OBJECT, "System Object"))
				.setRole(new Coding(BalpConstants.CS_OBJECT_ROLE, BalpConstants.CS_OBJECT_ROLE_24_QUERY, "Query"))
				.setWhat(new Reference().setDisplay("/cds-services/" + service))
				.setDescription("CDS Hooks " + hook + " call");
		call.addDetail().setType("hook").setValue(new org.hl7.fhir.r4.model.StringType(hook));
		call.addDetail().setType("hookInstance").setValue(new org.hl7.fhir.r4.model.StringType(hookInstance));
		for (ReturnedCard card : cards) {
			call.addDetail().setType("card").setValue(new org.hl7.fhir.r4.model.StringType(card.rule() + " " + card.indicator()));
		}
		sink.recordAuditEvent(event);
	}

	/** A FHIR operation ({@code $apply}, {@code $knowledge-rollback}, ...) answered. */
	public void operation(Caller caller, String operation, String target, String patientReference, int status) {
		AuditEvent event = event(AuditEvent.AuditEventAction.E, "operation", null);
		event.addAgent(agent(AuditContext.who(caller)));
		event.setOutcome(status < 400 ? AuditEvent.AuditEventOutcome._0
				: status < 500 ? AuditEvent.AuditEventOutcome._4 : AuditEvent.AuditEventOutcome._8);
		if (patientReference != null) {
			event.addEntity(patient(patientReference));
		}
		event.addEntity()
				.setType(new Coding(BalpConstants.CS_AUDIT_ENTITY_TYPE, BalpConstants.CS_AUDIT_ENTITY_TYPE_2_SYSTEM_OBJECT, "System Object"))
				.setRole(new Coding(BalpConstants.CS_OBJECT_ROLE, BalpConstants.CS_OBJECT_ROLE_24_QUERY, "Query"))
				.setWhat(new Reference().setDisplay(target))
				.setDescription(operation);
		sink.recordAuditEvent(event);
	}

	/** A knowledge publish or roll-back, recorded as release {@code release}. */
	public void knowledgeRelease(Caller caller, String action, String release, String fingerprint) {
		AuditEvent event = event(AuditEvent.AuditEventAction.E, "operation", "knowledge-" + action);
		event.addAgent(agent(AuditContext.who(caller)));
		event.addEntity()
				.setType(new Coding(BalpConstants.CS_AUDIT_ENTITY_TYPE, BalpConstants.CS_AUDIT_ENTITY_TYPE_2_SYSTEM_OBJECT, "System Object"))
				.setRole(new Coding(BalpConstants.CS_OBJECT_ROLE, "4", "Domain Resource"))
				.setWhat(new Reference("Bundle/" + release))
				.setName("Bundle/" + release)
				.setDescription("knowledge release " + fingerprint);
		sink.recordAuditEvent(event);
	}

	private static AuditEvent event(AuditEvent.AuditEventAction action, String interaction, String projectSubtype) {
		AuditEvent event = new AuditEvent();
		event.setType(new Coding(BalpConstants.CS_AUDIT_EVENT_TYPE, "rest", "RESTful Operation"));
		event.addSubtype(new Coding(BalpConstants.CS_RESTFUL_INTERACTION, interaction, interaction));
		if (projectSubtype != null) {
			event.addSubtype(new Coding(SUBTYPE_SYSTEM, projectSubtype, projectSubtype));
		}
		event.setAction(action);
		event.setRecorded(new Date());
		event.setOutcome(AuditEvent.AuditEventOutcome._0);
		event.getSource().setObserver(new Reference().setDisplay(OBSERVER));
		event.addAgent()
				.setType(new org.hl7.fhir.r4.model.CodeableConcept(
						new Coding("http://dicom.nema.org/resources/ontology/DCM", "110152", "Destination Role ID")))
				.setWho(new Reference().setDisplay(OBSERVER))
				.setRequestor(false);
		return event;
	}

	/** The requesting client, as BALP's client agent (source role). */
	private static AuditEvent.AuditEventAgentComponent agent(Reference who) {
		return new AuditEvent.AuditEventAgentComponent()
				.setType(new org.hl7.fhir.r4.model.CodeableConcept(
						new Coding("http://dicom.nema.org/resources/ontology/DCM", "110153", "Source Role ID")))
				.setWho(who)
				.setRequestor(true);
	}

	private static AuditEvent.AuditEventEntityComponent patient(String reference) {
		return new AuditEvent.AuditEventEntityComponent()
				.setType(new Coding(BalpConstants.CS_AUDIT_ENTITY_TYPE, BalpConstants.CS_AUDIT_ENTITY_TYPE_1_PERSON, "Person"))
				.setRole(new Coding(BalpConstants.CS_OBJECT_ROLE, BalpConstants.CS_OBJECT_ROLE_1_PATIENT, "Patient"))
				.setWhat(new Reference(reference));
	}
}
