package org.lactationcds.governance;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lactationcds.caller.Permissions;
import org.lactationcds.support.ServerProcess;
import org.lactationcds.support.StubIssuer;

/**
 * With FHIR REST authenticated (an OAuth2 issuer configured), knowledge is written only with the publisher
 * permission: clinical scopes, however broad, get 403 and nothing is stored; the audit trail records who did what and
 * is read by the auditor alone. (One server start for both: a start costs minutes.)
 */
class KnowledgeGovernanceServerTests {

	static final String ISSUER = "https://auth.example.org";
	static final String AUDIENCE = "https://cds.example.org/fhir";
	static final FhirContext FHIR = FhirContext.forR4Cached();
	static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);

	@TempDir
	Path workingDirectory;

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
	StubIssuer auth;
	ServerProcess server;

	@BeforeEach
	void start() throws Exception {
		auth = StubIssuer.start(ISSUER, AUDIENCE);
		Map<String, String> environment = new HashMap<>(auth.fhirEnvironment());
		environment.put("LACTATION_CDS_EXAMPLES_LOAD", "false");
		server = ServerProcess.start(workingDirectory, environment);
	}

	@AfterEach
	void stop() {
		if (server != null) {
			server.close();
		}
		if (auth != null) {
			auth.close();
		}
	}

	@Test
	void knowledgeWritesNeedThePublisherPermissionThatNoClinicalScopeGrants() throws Exception {
		String name = "Governed" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
		String shadow = json(shadowOfLactationCommon(name));
		String reader = token("system/*.rs", "reader");

		for (String scope : new String[] {"user/Library.c", "user/Library.cu", "system/*.cruds", "user/*.cruds"}) {
			assertThat(send("POST", "/fhir/Library", token(scope, "clinic"), shadow).statusCode()).as(scope).isEqualTo(403);
			assertThat(send("PUT", "/fhir/Library/" + name, token(scope, "clinic"), shadow).statusCode()).as(scope).isEqualTo(403);
		}
		assertThat(send("GET", "/fhir/Library?name=" + name + "&_summary=count", reader, null).body()).contains("\"total\":0");

		PlanDefinition redFlags = FHIR.newJsonParser().parseResource(PlanDefinition.class,
				send("GET", "/fhir/PlanDefinition/lactation-red-flags", reader, null).body());
		int rules = redFlags.getAction().size();
		redFlags.getAction().remove(0);
		redFlags.setVersion("9.9.9");
		assertThat(send("PUT", "/fhir/PlanDefinition/lactation-red-flags", token("user/PlanDefinition.u", "clinic"), json(redFlags))
				.statusCode()).isEqualTo(403);
		assertThat(send("DELETE", "/fhir/Library/LactationCommon", token("user/Library.d", "clinic"), null).statusCode()).isEqualTo(403);
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":" + shadow
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Library\"}}]}";
		assertThat(send("POST", "/fhir", token("system/*.cruds", "clinic"), transaction).statusCode()).as("in a transaction").isEqualTo(403);
		assertThat(send("POST", "/fhir/$knowledge-rollback", token("system/*.cruds", "clinic"),
				"{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"packaged\",\"valueBoolean\":true}]}").statusCode())
				.isEqualTo(403);

		PlanDefinition unchanged = FHIR.newJsonParser().parseResource(PlanDefinition.class,
				send("GET", "/fhir/PlanDefinition/lactation-red-flags", reader, null).body());
		assertThat(unchanged.getAction()).hasSize(rules);
		assertThat(send("GET", "/fhir/Library/LactationCommon", reader, null).statusCode()).isEqualTo(200);

		// The publisher: the same shadow copy is refused on its content (same name and version as a running library),
		// and a valid new library is published and recorded as released by the publishing client.
		String publisher = token(Permissions.PUBLISH_KNOWLEDGE, "informatics");
		HttpResponse<String> refused = send("PUT", "/fhir/Library/" + name, publisher, shadow);
		assertThat(refused.statusCode()).isEqualTo(422);
		assertThat(refused.body()).contains("already published as Library/LactationCommon");

		Library fresh = KnowledgeGovernanceTests.library(name, "1.0.0", "define \"Title\": 'x'\n");
		fresh.setId(name);
		assertThat(send("PUT", "/fhir/Library/" + name, publisher, json(fresh)).statusCode()).isEqualTo(201);
		HttpResponse<String> status = send("GET", "/fhir/$knowledge-status", publisher, null);
		assertThat(status.statusCode()).isEqualTo(200);
		assertThat(status.body()).contains("informatics (" + ISSUER + ")");
		assertThat(send("GET", "/fhir/$knowledge-status", reader, null).statusCode()).isEqualTo(403);

		// The audit trail: the publish, a patient's record read by a clinical client, and a CDS call, readable by the
		// auditor only, never written through FHIR REST, and without events about its own writes.
		String patient = "audited-" + UUID.randomUUID().toString().substring(0, 8);
		assertThat(send("PUT", "/fhir/Patient/" + patient, token("system/*.cruds", "clinic"),
				"{\"resourceType\":\"Patient\",\"id\":\"" + patient + "\"}").statusCode()).isEqualTo(201);
		assertThat(send("GET", "/fhir/Patient/" + patient, reader, null).statusCode()).isEqualTo(200);
		String hookInstance = UUID.randomUUID().toString();
		HttpResponse<String> cds = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/cds-services/lactation-patient-view"))
				.timeout(REQUEST_TIMEOUT)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"hook\":\"patient-view\",\"hookInstance\":\"" + hookInstance
						+ "\",\"context\":{\"userId\":\"Practitioner/p1\",\"patientId\":\"" + patient + "\"}}"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(cds.statusCode()).as(cds.body()).isEqualTo(200);

		String auditor = token(Permissions.READ_AUDIT, "auditor");
		assertThat(send("GET", "/fhir/AuditEvent", reader, null).statusCode()).as("system/*.rs is not the auditor").isEqualTo(403);
		assertThat(send("GET", "/fhir/AuditEvent", token("system/*.cruds", "clinic"), null).statusCode()).isEqualTo(403);
		assertThat(send("POST", "/fhir/AuditEvent", auditor, "{\"resourceType\":\"AuditEvent\"}").statusCode())
				.as("nobody writes the trail").isEqualTo(403);

		String aboutPatient = send("GET", "/fhir/AuditEvent?entity-name:exact=Patient/" + patient + "&_count=200", auditor, null).body();
		assertThat(aboutPatient)
				.contains("IHE.BasicAudit.PatientCreate").contains("IHE.BasicAudit.PatientRead")
				.contains("\"value\":\"reader\"").contains("\"value\":\"clinic\"")
				.contains("cds-hooks-call").contains(hookInstance);
		String publishes = send("GET", "/fhir/AuditEvent?subtype=" + org.lactationcds.audit.AuditTrail.SUBTYPE_SYSTEM
				+ "%7Cknowledge-publish&_count=200", auditor, null).body();
		assertThat(publishes).contains("\"value\":\"informatics\"");
		String everything = send("GET", "/fhir/AuditEvent?_count=500", auditor, null).body();
		assertThat(everything).contains("\"name\":\"Patient/" + patient + "\"").doesNotContain("\"name\":\"AuditEvent/");
	}

	private static Library shadowOfLactationCommon(String id) {
		Library library = KnowledgeGovernanceTests.library("LactationCommon", "1.0.0", "define \"Anything\": 1\n");
		library.setId(id);
		library.setUrl(KnowledgeGovernanceTests.BASE + "/Library/" + id);
		return library;
	}

	private static String json(org.hl7.fhir.r4.model.Resource resource) {
		return FHIR.newJsonParser().encodeResourceToString(resource);
	}

	private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
				.timeout(REQUEST_TIMEOUT)
				.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
				.header("Content-Type", "application/fhir+json");
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** A token of {@code client} (subject and client_id) with {@code scope}. */
	private String token(String scope, String client) {
		return auth.sign(auth.claims(scope).subject(client).claim("client_id", client).build());
	}
}
