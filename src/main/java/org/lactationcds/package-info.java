/** Lactation CDS: FHIR R4 storage and CDS Hooks decision support for postpartum lactation care. */
package org.lactationcds;
