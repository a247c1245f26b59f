package org.lactationcds;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.autoconfigure.elasticsearch.ElasticsearchRestHealthContributorAutoConfiguration;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchClientAutoConfiguration;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Lactation CDS: a FHIR R4 store for lactation observations and a CDS Hooks service over it. */
// HAPI brings Elasticsearch, Flyway and Thymeleaf along for optional features we do not use (full-text backend,
// its own migration tooling, its web tester); Boot must not auto-configure them. Nor a default user with a generated
// password: there are no users here, only bearer tokens.
@SpringBootApplication(
		exclude = {
			ElasticsearchClientAutoConfiguration.class,
			ElasticsearchRestClientAutoConfiguration.class,
			ElasticsearchRestHealthContributorAutoConfiguration.class,
			FlywayAutoConfiguration.class,
			UserDetailsServiceAutoConfiguration.class,
			ThymeleafAutoConfiguration.class
		})
@ConfigurationPropertiesScan
public class LactationCdsApplication {

	public static void main(String[] args) {
		SpringApplication.run(LactationCdsApplication.class, args);
	}
}
