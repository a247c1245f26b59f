package org.lactationcds.aot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With {@code lactation-cds.training-run=true} the server starts, warms up, and exits as soon as it is ready. Run
 * under JDK 25 with {@code -XX:AOTCacheOutput=...} it records the classes loaded and linked and the method profiles
 * of start-up and warm-up (Spring's {@code spring.context.exit=onRefresh} stops before the warm-up, so the cache
 * would hold no profile of the CDS path).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "lactation-cds.training-run", havingValue = "true")
public class TrainingRunConfiguration {

	private static final Logger log = LoggerFactory.getLogger(TrainingRunConfiguration.class);

	@Bean
	public ApplicationListener<ApplicationReadyEvent> exitWhenReady() {
		return event -> {
			log.info("training run: ready, exiting");
			System.exit(SpringApplication.exit(event.getApplicationContext()));
		};
	}
}
