/** Trusting CDS clients: their JWTs, their keys, and the FHIR servers each may name. */
package org.lactationcds.cds.security;
