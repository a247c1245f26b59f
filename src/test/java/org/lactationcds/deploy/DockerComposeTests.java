package org.lactationcds.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml cannot be run here (no Docker engine), so its wiring is checked as data: PostgreSQL with a
 * named volume and a health check, the server built from the Dockerfile, connected by the standard Spring
 * datasource variables, started only once PostgreSQL is healthy, and published on port 8080.
 */
class DockerComposeTests {

	private static final Path ROOT = Path.of("").toAbsolutePath();

	static Map<String, Object> compose;
	static Map<String, Object> postgres;
	static Map<String, Object> server;

	@BeforeAll
	@SuppressWarnings("unchecked")
	static void parse() throws IOException {
		compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
		Map<String, Object> services = (Map<String, Object>) compose.get("services");
		postgres = (Map<String, Object>) services.get("postgres");
		server = (Map<String, Object>) services.get("server");
	}

	@Test
	@SuppressWarnings("unchecked")
	void postgresWhenComposedKeepsItsDataInANamedVolumeAndReportsHealth() {
		assertThat((String) postgres.get("image")).startsWith("postgres:16");
		String mount = ((List<String>) postgres.get("volumes")).get(0);
		String volume = mount.substring(0, mount.indexOf(':'));
		assertThat(mount).endsWith(":/var/lib/postgresql/data");
		assertThat((Map<String, Object>) compose.get("volumes")).containsKey(volume);
		Map<String, Object> healthcheck = (Map<String, Object>) postgres.get("healthcheck");
		assertThat(healthcheck.get("test").toString()).contains("pg_isready");
	}

	@Test
	@SuppressWarnings("unchecked")
	void serverWhenComposedConnectsToThatPostgresThroughTheSpringVariables() {
		Map<String, String> db = (Map<String, String>) postgres.get("environment");
		Map<String, String> env = (Map<String, String>) server.get("environment");

		assertThat(env.get("SPRING_DATASOURCE_URL")).isEqualTo("jdbc:postgresql://postgres:5432/" + db.get("POSTGRES_DB"));
		assertThat(env.get("SPRING_DATASOURCE_USERNAME")).isEqualTo(db.get("POSTGRES_USER"));
		assertThat(env.get("SPRING_DATASOURCE_PASSWORD")).isEqualTo(db.get("POSTGRES_PASSWORD"));
	}

	@Test
	@SuppressWarnings("unchecked")
	void serverWhenComposedStartsAfterPostgresIsHealthyAndIsPublishedOn8080() {
		Map<String, Map<String, String>> dependsOn = (Map<String, Map<String, String>>) server.get("depends_on");
		assertThat(dependsOn.get("postgres")).containsEntry("condition", "service_healthy");
		assertThat((List<String>) server.get("ports")).anySatisfy(port -> assertThat(port).endsWith(":8080:8080"));
		assertThat(((Map<String, Object>) server.get("healthcheck")).get("test").toString())
				.contains("/actuator/health/readiness");
	}

	@Test
	void serverImageWhenBuiltPackagesTheJarAndListensOnAllInterfacesInsideTheContainer() throws IOException {
		assertThat(server.get("build")).isEqualTo(".");
		String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));

		assertThat(dockerfile).contains("mvn -B -q package -DskipTests");
		assertThat(dockerfile).contains("target/lactation-cds.jar");
		assertThat(dockerfile).contains("ENV SERVER_ADDRESS=0.0.0.0");
		assertThat(dockerfile).contains("EXPOSE 8080");
	}

	/** The training stage and the runtime share one JVM build, or the runtime cannot use the cache it wrote. */
	@Test
	void serverImageWhenBuiltStartsFromTheAotCacheOfItsOwnTrainingRun() throws IOException {
		String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
		Matcher base = Pattern.compile("(?m)^FROM (\\S+) AS runtime-base$").matcher(dockerfile);
		assertThat(base.find()).as("a runtime-base stage").isTrue();
		assertThat(base.group(1)).startsWith("eclipse-temurin:25");
		assertThat(dockerfile).containsPattern("(?m)^FROM runtime-base AS aot$").containsPattern("(?m)^FROM runtime-base$");
		assertThat(dockerfile).contains("-Djarmode=tools -jar /tmp/lactation-cds.jar extract --destination /app")
				.contains("-XX:AOTCacheOutput=/app/app.aot -Dlactation-cds.training-run=true");
		String entrypoint = dockerfile.lines().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow();
		assertThat(entrypoint).contains("\"-XX:AOTCache=/app/app.aot\"", "\"-XX:+UseParallelGC\"", "\"/app/lactation-cds.jar\"");
	}

	@Test
	@SuppressWarnings("unchecked")
	void serverWhenComposedRunsOpenOnPurposeAndIsPublishedOnTheHostLoopbackOnly() {
		Map<String, String> env = (Map<String, String>) server.get("environment");

		// Bound to every interface inside the container, the server refuses to start without trust or this opt-out.
		assertThat(env).containsEntry("LACTATION_CDS_SECURITY_MODE", "open");
		assertThat((List<String>) server.get("ports")).allSatisfy(port -> assertThat(port).startsWith("127.0.0.1:"));
	}

	/** Where the docker client has the compose plugin, let it check the file too (no engine is needed for this). */
	@Test
	void composeFileWhenCheckedByDockerComposeIsValid() throws Exception {
		Process probe;
		try {
			probe = new ProcessBuilder("docker", "compose", "version").redirectErrorStream(true).start();
		} catch (IOException noDockerClient) {
			System.out.println("DockerComposeTests: no docker client here; the wiring is checked by the other tests only");
			return;
		}
		if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
			System.out.println("DockerComposeTests: docker client has no compose plugin; the wiring is checked by the other tests only");
			return;
		}
		Process config = new ProcessBuilder("docker", "compose", "config", "-q")
				.directory(ROOT.toFile())
				.redirectErrorStream(true)
				.start();
		assertThat(config.waitFor(60, TimeUnit.SECONDS)).isTrue();
		String output = new String(config.getInputStream().readAllBytes());
		assertThat(config.exitValue()).as(output).isZero();
	}
}
