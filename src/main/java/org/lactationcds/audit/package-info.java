/**
 * The audit trail: every FHIR read, search, write and operation, every CDS Hooks call and every knowledge publish as
 * a FHIR AuditEvent (IHE Basic Audit Log Patterns) in the server's own store, readable only by auditors.
 */
package org.lactationcds.audit;
