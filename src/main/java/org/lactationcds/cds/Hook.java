package org.lactationcds.cds;

import java.util.Arrays;
import java.util.Optional;

/** The CDS Hooks this service answers (Hook Library 1.0.1), with what each one's context must carry. */
public enum Hook {
	PATIENT_VIEW("patient-view", false, false),
	ORDER_SELECT("order-select", true, false),
	ORDER_SIGN("order-sign", true, false),
	ENCOUNTER_START("encounter-start", false, true),
	ENCOUNTER_DISCHARGE("encounter-discharge", false, true);

	private final String id;
	private final boolean orderHook;
	private final boolean encounterRequired;

	Hook(String id, boolean orderHook, boolean encounterRequired) {
		this.id = id;
		this.orderHook = orderHook;
		this.encounterRequired = encounterRequired;
	}

	public String id() {
		return id;
	}

	/** order-select and order-sign: context.draftOrders is required, and only the order rules answer (section 0.2). */
	public boolean isOrderHook() {
		return orderHook;
	}

	public boolean encounterRequired() {
		return encounterRequired;
	}

	/** patient-view may be opened by the patient or a proxy; the other hooks are clinician workflows. */
	public boolean allowsPatientUser() {
		return this == PATIENT_VIEW;
	}

	public static Optional<Hook> of(String id) {
		return Arrays.stream(values()).filter(hook -> hook.id.equals(id)).findFirst();
	}
}
