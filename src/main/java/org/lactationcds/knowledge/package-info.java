/** The clinical knowledge: FHIR resources and CQL from fhir-resources/, read, compiled and loaded into the store. */
package org.lactationcds.knowledge;
