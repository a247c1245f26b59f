package org.lactationcds.clinic;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lactationcds.cds.CdsErrorHandler;
import org.lactationcds.discovery.SmartProperties;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the app's launch page ({@code /app/launch.html}) needs to start a SMART EHR launch: the client id and scopes
 * the server is configured with ({@code lactation-cds.smart.app-client-id}, {@code app-scopes}), and the redirect page
 * that completes it. Public values of a public client: no secret is involved.
 */
@RestController
class SmartLaunchController {

	static final String PATH = "/app/api/smart-launch";
	/** Relative to the launch page; registered with the authorization server as {@code <base>/app/ready.html}. */
	static final String REDIRECT = "ready.html";

	private final SmartProperties smart;

	SmartLaunchController(SmartProperties smart) {
		this.smart = smart;
	}

	@GetMapping(path = PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, Object>> launch() {
		if (!smart.appClientConfigured()) {
			return CdsErrorHandler.error(HttpStatus.NOT_FOUND, "SMART app launch is not configured on this server "
					+ "(lactation-cds.smart.app-client-id); open the app at /app/ instead");
		}
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("clientId", smart.appClientId());
		answer.put("scope", String.join(" ", smart.appScopes()));
		answer.put("redirectUri", REDIRECT);
		return ResponseEntity.ok(answer);
	}
}
