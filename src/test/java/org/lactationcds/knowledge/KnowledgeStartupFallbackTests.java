package org.lactationcds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.support.ServerProcess;

/**
 * Knowledge in the database that no longer compiles never stops start-up: the packaged knowledge runs, loudly. (The
 * state of issue 13: a LactationCommon version that compiles on its own, stored beside includers that need another.)
 */
class KnowledgeStartupFallbackTests {

	@TempDir
	Path workingDirectory;

	@Test
	void startWhenTheStoredKnowledgeDoesNotCompileServesThePackagedKnowledgeAndSaysSo() throws Exception {
		// A first start from an external copy stores LactationCommon 1.1.0 (newer than the packaged 1.0.0, so kept
		// by later starts); the packaged LactationRedFlags, restored by the next start, includes 1.0.0.
		Path knowledge = copyOfPackagedKnowledge(workingDirectory.resolve("knowledge"));
		replace(knowledge.resolve("input/cql/LactationCommon.cql"), "version '1.0.0'", "version '1.1.0'");
		replace(knowledge.resolve("input/resources/library/Library-LactationCommon.json"), "\"version\": \"1.0.0\"", "\"version\": \"1.1.0\"");
		replace(knowledge.resolve("input/cql/LactationRedFlags.cql"), "include LactationCommon version '1.0.0'", "include LactationCommon version '1.1.0'");
		replace(knowledge.resolve("input/resources/library/Library-LactationRedFlags.json"), "LactationCommon|1.0.0", "LactationCommon|1.1.0");
		try (ServerProcess first = ServerProcess.start(workingDirectory, Map.of(
				"LACTATION_CDS_KNOWLEDGE_LOCATION", "file:" + knowledge, "LACTATION_CDS_EXAMPLES_LOAD", "false"))) {
			first.stop();
		}

		try (ServerProcess second = ServerProcess.start(workingDirectory, Map.of("LACTATION_CDS_EXAMPLES_LOAD", "false"))) {
			assertThat(second.log()).contains("serving the PACKAGED knowledge");
			HttpResponse<String> discovery = get(second.baseUrl() + "/cds-services");
			assertThat(discovery.statusCode()).isEqualTo(200);
			assertThat(discovery.body()).contains("lactation-patient-view");
			HttpResponse<String> status = get(second.baseUrl() + "/fhir/$knowledge-status");
			assertThat(status.body()).contains("http://lactation-cds.org/fhir/Library/LactationCommon|1.0.0");
		}
	}

	private static HttpResponse<String> get(String url) throws Exception {
		return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build().send(
				HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static Path copyOfPackagedKnowledge(Path target) throws IOException {
		Path source = Path.of("fhir-resources");
		try (Stream<Path> files = Files.walk(source)) {
			for (Path file : files.toList()) {
				Path copy = target.resolve(source.relativize(file).toString());
				if (Files.isDirectory(file)) {
					Files.createDirectories(copy);
				} else {
					Files.copy(file, copy);
				}
			}
		}
		return target;
	}

	private static void replace(Path file, String from, String to) throws IOException {
		String text = Files.readString(file);
		assertThat(text).as(file + " holds " + from).contains(from);
		Files.writeString(file, text.replace(from, to));
	}
}
