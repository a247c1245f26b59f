/**
 * The mother-infant dyad around a patient (clinical-rules.md 0.2) and its data: who is linked to whom, what is read
 * for each member ({@link org.lactationcds.knowledge.DataRequirement}) and from where. One assembly for every way the rules
 * are run (CDS Hooks, FHIR {@code $apply}), so that they answer the same for the same patient and data.
 */
package org.lactationcds.dyad;
