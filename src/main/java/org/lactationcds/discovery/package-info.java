/**
 * What clients discover about the FHIR server: SMART on FHIR configuration ({@code /fhir/.well-known/smart-configuration}
 * and {@code CapabilityStatement.rest.security}) when OAuth2 issuers are configured, and the operations the
 * CapabilityStatement advertises (administrative ones are neither advertised nor offered).
 */
package org.lactationcds.discovery;
