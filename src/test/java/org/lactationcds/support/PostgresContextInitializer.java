package org.lactationcds.support;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/** Points the application context at a fresh PostgreSQL database, through the standard Spring datasource settings. */
public class PostgresContextInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		PostgresTestServer.TestDatabase database = PostgresTestServer.get().createDatabase();
		TestPropertyValues.of(
						"spring.datasource.url=" + database.url(),
						"spring.datasource.username=" + database.username(),
						"spring.datasource.password=" + database.password(),
						// The tests assert what rules answer, on a shared, loaded machine: a budget meant for production
						// would turn a slow evaluation into "could not be evaluated" (the budget has its own tests).
						"lactation-cds.evaluation.time-budget=120s")
				.applyTo(context);
	}
}
