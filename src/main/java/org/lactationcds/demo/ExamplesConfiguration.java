package org.lactationcds.demo;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import java.time.Clock;
import org.hl7.fhir.r4.model.Bundle;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Demo data: on by default on the embedded H2 database only (a production store gets no invented patients). */
@Configuration(proxyBeanMethods = false)
public class ExamplesConfiguration {

	@Bean
	public ExampleDataLoader exampleDataLoader(
			ExamplesProperties properties,
			DataSourceProperties dataSource,
			FhirContext fhirContext,
			IFhirSystemDao<Bundle, ?> systemDao,
			Clock clock) {
		boolean embedded = String.valueOf(dataSource.getUrl()).startsWith("jdbc:h2:");
		boolean load = properties.load() == null ? embedded : properties.load();
		return new ExampleDataLoader(load, properties.location(), fhirContext, systemDao, clock);
	}
}
