package org.lactationcds.cds.feedback;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The feedback endpoint's parser and store; the CDS service itself needs neither. */
@Configuration(proxyBeanMethods = false)
class FeedbackConfiguration {

	@Bean
	FeedbackParser feedbackParser(ObjectMapper json) {
		return new FeedbackParser(json);
	}

	@Bean
	FeedbackStore feedbackStore(JdbcTemplate jdbc) {
		FeedbackStore store = new FeedbackStore(jdbc);
		store.createSchema();
		return store;
	}
}
