package org.lactationcds.audit;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.storage.interceptor.balp.IBalpAuditEventSink;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores each AuditEvent in the server's own database, synchronously, before the audited request answers: an event
 * is never held in memory where a crash could lose it. Inside a writing transaction (a create, update or delete being
 * committed) the event joins it, so the change and its record commit together or not at all; otherwise (a read, a
 * search, a CDS call) it is committed in a transaction of its own before the answer is sent.
 *
 * <p>It writes as the server ({@link SystemRequestDetails}): the audit interceptors listen to client requests only,
 * so the audit's own writes are never audited.
 */
public final class AuditEventStore implements IBalpAuditEventSink {

	private final DaoRegistry daoRegistry;
	private final TransactionTemplate ownTransaction;

	public AuditEventStore(DaoRegistry daoRegistry, PlatformTransactionManager transactionManager) {
		this.daoRegistry = daoRegistry;
		this.ownTransaction = new TransactionTemplate(transactionManager);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	/**
	 * The FHIR id an entity's {@code what} named: stored as the entity's {@code name} (search
	 * {@code AuditEvent?entity-name:exact=Patient/x}) and as an identifier of the reference.
	 */
	static final String RESOURCE_ID_SYSTEM = "urn:lactation-cds:fhir-resource";

	@Override
	public void recordAuditEvent(AuditEvent event) {
		unlinkEntities(event);
		if (TransactionSynchronizationManager.isActualTransactionActive()
				&& !TransactionSynchronizationManager.isCurrentTransactionReadOnly()) {
			dao().create(event, new SystemRequestDetails());
		} else {
			ownTransaction.executeWithoutResult(status -> dao().create(event, new SystemRequestDetails()));
		}
	}

	/**
	 * An audit record names what it is about but must not be a link the store enforces: as a FHIR reference, the
	 * record of a delete would point at a deleted resource, a created resource could not be deleted while its audit
	 * points at it, and a read of a resource created in the same transaction could not be recorded. So each
	 * {@code entity.what} reference becomes an identifier plus the entity's name.
	 */
	private static void unlinkEntities(AuditEvent event) {
		for (AuditEvent.AuditEventEntityComponent entity : event.getEntity()) {
			Reference what = entity.getWhat();
			if (what != null && what.hasReference()) {
				String id = what.getReference();
				if (!entity.hasName()) {
					entity.setName(id);
				}
				entity.setWhat(new Reference()
						.setType(what.hasType() ? what.getType() : id.contains("/") ? id.substring(0, id.indexOf('/')) : null)
						.setIdentifier(new Identifier().setSystem(RESOURCE_ID_SYSTEM).setValue(id))
						.setDisplay(id));
			}
		}
	}

	@SuppressWarnings("unchecked")
	private IFhirResourceDao<AuditEvent> dao() {
		return (IFhirResourceDao<AuditEvent>) daoRegistry.getResourceDao("AuditEvent");
	}
}
