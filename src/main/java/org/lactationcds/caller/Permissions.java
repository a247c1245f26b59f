package org.lactationcds.caller;

/** The two permissions that no clinical (SMART resource) scope grants. */
public final class Permissions {

	/**
	 * Publishes knowledge (writes of knowledge resources in the project's canonical space, rollback). Deliberately not
	 * a SMART resource scope: {@code system/*.cruds}, {@code user/Library.c} and every other clinical scope cannot
	 * express it, so an authorization server grants it only to whom it is configured for (the informaticists'
	 * publishing client), never by accident through a wildcard.
	 */
	public static final String PUBLISH_KNOWLEDGE = "lactation-cds/knowledge.publish";

	/** The resource types whose writes in the knowledge's canonical space are publishes. */
	public static final java.util.Set<String> KNOWLEDGE_TYPES = java.util.Set.of(
			"Library", "PlanDefinition", "ActivityDefinition", "ValueSet", "CodeSystem", "ConceptMap", "Questionnaire");

	/** The operations that need the publisher permission. */
	public static final String ROLLBACK_OPERATION = "$knowledge-rollback";

	/** Shows the running knowledge version: the publisher's or the auditor's. */
	public static final String STATUS_OPERATION = "$knowledge-status";

	/** Reads the audit trail: exactly this SMART scope; {@code system/*.rs} does not include it. */
	public static final String READ_AUDIT = "system/AuditEvent.rs";

	private Permissions() {}
}
