/** The FHIR R4 REST server and its JPA storage (HAPI FHIR), on H2 (embedded) or PostgreSQL. */
package org.lactationcds.fhir;
