package org.lactationcds.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lactationcds.LactationCdsApplication;

/**
 * The server as an operator runs it: a separate JVM, started in a given working directory with a given environment,
 * on a free port. Used where a test needs a real process boundary (restart, default paths, being killed).
 */
public final class ServerProcess implements AutoCloseable {

	private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");
	/** Start-up takes 30 s on an idle machine; HAPI's context took over 3 min at a load average of 27 on 2 cores. */
	private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

	private final Process process;
	private final Path log;
	private final int port;

	private ServerProcess(Process process, Path log, int port) {
		this.process = process;
		this.log = log;
		this.port = port;
	}

	/** Starts the server and returns once its readiness probe answers UP. */
	public static ServerProcess start(Path workingDirectory, Map<String, String> environment) {
		return start(workingDirectory, environment, START_TIMEOUT);
	}

	/**
	 * As {@link #start(Path, Map)}, with a longer deadline for each of opening the port and becoming ready: HAPI
	 * creating its whole schema in a new PostgreSQL database takes several minutes on a loaded 2-core machine.
	 */
	public static ServerProcess start(Path workingDirectory, Map<String, String> environment, Duration timeout) {
		try {
			Files.createDirectories(workingDirectory);
			Path log = Files.createTempFile(workingDirectory, "server-", ".log");
			ProcessBuilder builder = builder(workingDirectory, environment, log);
			Process process = builder.start();
			try {
				ServerProcess server = new ServerProcess(process, log, awaitPort(builder, log, timeout));
				server.awaitReady(timeout);
				return server;
			} catch (RuntimeException notStarted) {
				// A server that did not come up in time must not outlive the test (it would load the machine further).
				process.destroyForcibly();
				throw notStarted;
			}
		} catch (IOException e) {
			throw new IllegalStateException("could not start the server process", e);
		}
	}

	/** Runs the server where it is expected not to start; returns its exit code and everything it logged. */
	public static Failure startExpectingFailure(Path workingDirectory, Map<String, String> environment) {
		try {
			Files.createDirectories(workingDirectory);
			Path log = Files.createTempFile(workingDirectory, "server-", ".log");
			ProcessBuilder builder = builder(workingDirectory, environment, log);
			Process process = builder.start();
			if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("server neither started nor exited:\n" + Files.readString(log));
			}
			return new Failure(process.exitValue(), Files.readString(log));
		} catch (IOException e) {
			throw new IllegalStateException("could not start the server process", e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	public record Failure(int exitCode, String log) {}

	public String baseUrl() {
		return "http://127.0.0.1:" + port;
	}

	public int port() {
		return port;
	}

	public String log() {
		try {
			return Files.readString(log);
		} catch (IOException e) {
			return "(log unreadable: " + e + ")";
		}
	}

	/** Graceful stop, as a service manager would do it (SIGTERM). */
	public void stop() {
		process.destroy();
		waitForExit();
	}

	/** Abrupt death (SIGKILL): nothing in the process gets to clean up. */
	public void kill() {
		process.destroyForcibly();
		waitForExit();
	}

	@Override
	public void close() {
		if (process.isAlive()) {
			stop();
		}
	}

	private void waitForExit() {
		try {
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
			}
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private static ProcessBuilder builder(Path workingDirectory, Map<String, String> environment, Path log) {
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx1g",
				"-cp",
				System.getProperty("java.class.path"),
				LactationCdsApplication.class.getName(),
				"--server.port=0"));
		ProcessBuilder builder = new ProcessBuilder(command)
				.directory(workingDirectory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(log.toFile());
		builder.environment().keySet().removeIf(key -> key.startsWith("SPRING_") || key.startsWith("LACTATION_CDS_"));
		// As in the shared test context: rules answer, however loaded the machine (unless a test sets a budget).
		builder.environment().put("LACTATION_CDS_EVALUATION_TIME_BUDGET", "120s");
		builder.environment().putAll(environment);
		return builder;
	}

	private static int awaitPort(ProcessBuilder builder, Path log, Duration timeout) throws IOException {
		Instant deadline = Instant.now().plus(timeout);
		while (Instant.now().isBefore(deadline)) {
			Matcher matcher = PORT.matcher(Files.readString(log));
			if (matcher.find()) {
				return Integer.parseInt(matcher.group(1));
			}
			if (Files.readString(log).contains("APPLICATION FAILED TO START")
					|| Files.readString(log).contains("Application run failed")) {
				throw new IllegalStateException("server failed to start:\n" + Files.readString(log));
			}
			sleep();
		}
		throw new IllegalStateException("server did not open a port within " + timeout + ":\n" + Files.readString(log));
	}

	private void awaitReady(Duration timeout) {
		Instant deadline = Instant.now().plus(timeout);
		String last = "no answer yet";
		while (Instant.now().isBefore(deadline)) {
			try {
				HttpResponse<String> response = TestHttp.send(
						HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health/readiness")));
				if (response.statusCode() == 200 && response.body().contains("UP")) {
					return;
				}
				last = response.statusCode() + " " + response.body();
			} catch (IllegalStateException notYet) {
				last = notYet.getMessage(); // not accepting connections yet, or too busy to answer
			}
			if (!process.isAlive()) {
				throw new IllegalStateException("server exited during start-up:\n" + log());
			}
			sleep();
		}
		throw new IllegalStateException("server was not ready within " + timeout + " (last readiness answer: "
				+ last + "):\n" + log());
	}

	private static void sleep() {
		try {
			Thread.sleep(250);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}
}
