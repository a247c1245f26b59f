package org.lactationcds.fhir;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Gives every pooled connection a statement timeout, so the database itself cancels a query that runs too long, also
 * after the client has gone (a search that kept running after its caller left held a pool connection for minutes):
 * PostgreSQL {@code statement_timeout}, H2 {@code QUERY_TIMEOUT}, both per session, set as each connection opens.
 * A site's own {@code spring.datasource.hikari.connection-init-sql} is left alone.
 */
final class StatementTimeout implements BeanPostProcessor {

	private final Duration timeout;

	StatementTimeout(Environment environment) {
		this.timeout = Binder.get(environment)
				.bind("lactation-cds.fhir.limits.query-timeout", Duration.class)
				.orElse(Duration.ofSeconds(30));
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String name) {
		if (bean instanceof HikariDataSource pool && pool.getConnectionInitSql() == null && !timeout.isZero()) {
			String sql = initSql(pool.getJdbcUrl(), timeout);
			if (sql != null) {
				pool.setConnectionInitSql(sql);
			}
		}
		return bean;
	}

	static String initSql(String jdbcUrl, Duration timeout) {
		if (jdbcUrl == null) {
			return null;
		}
		if (jdbcUrl.startsWith("jdbc:postgresql:")) {
			return "SET statement_timeout = " + timeout.toMillis();
		}
		if (jdbcUrl.startsWith("jdbc:h2:")) {
			return "SET QUERY_TIMEOUT " + timeout.toMillis();
		}
		return null;
	}
}
