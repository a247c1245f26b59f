package org.lactationcds.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The PostgreSQL server the integration tests run on: a Testcontainers {@code postgres:16} when a Docker engine is
 * present, otherwise the PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication). When neither is
 * reachable, asking for a database fails with a message that says so: the tests are never skipped.
 *
 * <p>Each {@link #createDatabase()} makes a throw-away database that is dropped when the test JVM exits.
 */
public final class PostgresTestServer {

	private static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/";
	private static final String LOCAL_USER = "postgres";

	private static PostgresTestServer instance;

	private final String baseUrl;
	private final String adminDatabase;
	private final String username;
	private final String password;

	private PostgresTestServer(String baseUrl, String adminDatabase, String username, String password) {
		this.baseUrl = baseUrl;
		this.adminDatabase = adminDatabase;
		this.username = username;
		this.password = password;
	}

	public static synchronized PostgresTestServer get() {
		if (instance == null) {
			instance = dockerAvailable() ? startContainer() : localServer();
		}
		return instance;
	}

	/** A JDBC connection description of a new, empty database. */
	public TestDatabase createDatabase() {
		String name = "lcds_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
		execute("CREATE DATABASE " + name);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> dropQuietly(name)));
		return new TestDatabase(baseUrl + name, username, password);
	}

	public record TestDatabase(String url, String username, String password) {}

	private void execute(String sql) {
		try (Connection connection = DriverManager.getConnection(baseUrl + adminDatabase, username, password);
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		} catch (SQLException e) {
			throw new IllegalStateException("PostgreSQL at " + baseUrl + " refused '" + sql + "': " + e.getMessage(), e);
		}
	}

	private void dropQuietly(String name) {
		try {
			execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
		} catch (RuntimeException ignored) {
			// The server may already be gone at JVM exit (a stopped container); nothing is left to clean.
		}
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		} catch (RuntimeException e) {
			return false;
		}
	}

	private static PostgresTestServer startContainer() {
		PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:16");
		container.start();
		String url = "jdbc:postgresql://" + container.getHost() + ":" + container.getMappedPort(5432) + "/";
		return new PostgresTestServer(url, container.getDatabaseName(), container.getUsername(), container.getPassword());
	}

	private static PostgresTestServer localServer() {
		try (Connection ignored = DriverManager.getConnection(LOCAL_URL + "postgres", LOCAL_USER, "")) {
			return new PostgresTestServer(LOCAL_URL, "postgres", LOCAL_USER, "");
		} catch (SQLException e) {
			throw new IllegalStateException("The integration tests need PostgreSQL, and none is reachable: no Docker engine "
					+ "for Testcontainers, and no PostgreSQL accepting user '" + LOCAL_USER + "' without a password at "
					+ LOCAL_URL + " (" + e.getMessage() + "). Start a Docker engine, or start PostgreSQL "
					+ "(bash .ci/run does it), then run the tests again.", e);
		}
	}
}
