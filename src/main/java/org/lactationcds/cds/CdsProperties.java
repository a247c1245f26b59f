package org.lactationcds.cds;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the CDS Hooks service.
 *
 * @param planDefinition id of the PlanDefinition whose actions are the rules the services answer
 * @param corsAllowedOrigins browser origins allowed to call /cds-services and /fhir (CORS); the CDS Hooks sandbox by
 *     default. An empty list turns CORS off.
 */
@ConfigurationProperties("lactation-cds.cds")
public record CdsProperties(
		@DefaultValue("lactation-red-flags") String planDefinition,
		@DefaultValue("https://sandbox.cds-hooks.org") List<String> corsAllowedOrigins) {}
