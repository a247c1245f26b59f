package org.lactationcds.knowledge;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the knowledge comes from.
 *
 * @param location a Spring resource location of a folder in implementation-guide layout ({@code input/...}):
 *     {@code classpath:fhir-resources} (the copy packaged in the jar) or an external folder such as
 *     {@code file:/etc/lactation-cds/fhir-resources}, which lets an informaticist change the knowledge without a build.
 */
@ConfigurationProperties("lactation-cds.knowledge")
public record KnowledgeProperties(@DefaultValue("classpath:fhir-resources") String location) {

	public KnowledgeProperties {
		if (location == null || location.isBlank()) {
			throw new IllegalArgumentException("lactation-cds.knowledge.location must name a folder");
		}
	}
}
