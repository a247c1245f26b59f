package org.lactationcds.readmodel;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.util.FhirTerser;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Bumps the data version of every patient whose compartment a write touches, before the write's transaction
 * commits: the owners of the resource as it was and as it is (a subject moved from one patient to another changes
 * both). A FHIR transaction bumps each patient once, in id order, just before it commits.
 */
@Interceptor
public final class PatientDataVersionInterceptor {

	private static final String PATIENT = "Patient";

	private final PatientDataVersions versions;
	private final FhirContext fhirContext;
	private final FhirTerser terser;

	public PatientDataVersionInterceptor(PatientDataVersions versions, FhirContext fhirContext) {
		this.versions = versions;
		this.fhirContext = fhirContext;
		this.terser = fhirContext.newTerser();
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		touched(resource, null);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource) {
		touched(previous, resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		touched(resource, null);
	}

	private void touched(IBaseResource first, IBaseResource second) {
		Set<String> owners = new TreeSet<>();
		addOwners(first, owners);
		addOwners(second, owners);
		if (owners.isEmpty()) {
			return;
		}
		Set<String> pending = pendingForTransaction();
		if (pending == null) {
			versions.bump(owners);
		} else {
			pending.addAll(owners);
		}
	}

	private void addOwners(IBaseResource resource, Set<String> owners) {
		if (resource == null) {
			return;
		}
		if (PATIENT.equals(fhirContext.getResourceType(resource)) && resource.getIdElement().hasIdPart()) {
			owners.add(resource.getIdElement().getIdPart());
		}
		for (IIdType owner : terser.getCompartmentOwnersForResource(PATIENT, resource, Set.of())) {
			if (PATIENT.equals(owner.getResourceType()) && owner.hasIdPart()) {
				owners.add(owner.getIdPart());
			}
		}
	}

	/**
	 * The patients to bump when the current Spring transaction commits; null when there is no transaction to join
	 * (then the bump runs at once and {@link PatientDataVersions#bump} refuses to run outside a transaction). Kept in a
	 * synchronization, not a bound resource: a nested REQUIRES_NEW transaction suspends the synchronizations of the
	 * outer one, so its writes are bumped when it, not the outer one, commits.
	 */
	private Set<String> pendingForTransaction() {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			return null;
		}
		for (TransactionSynchronization synchronization : TransactionSynchronizationManager.getSynchronizations()) {
			if (synchronization instanceof PendingBumps pending) {
				return pending.patients;
			}
		}
		PendingBumps pending = new PendingBumps();
		TransactionSynchronizationManager.registerSynchronization(pending);
		return pending.patients;
	}

	private final class PendingBumps implements TransactionSynchronization {

		private final Set<String> patients = new TreeSet<>();

		@Override
		public void beforeCommit(boolean readOnly) {
			versions.bump(patients);
		}
	}
}
