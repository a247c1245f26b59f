package org.lactationcds.cds.card;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The link a patient-view card carries to the clinic app's dyad view of the patient in context. Only the Patient id
 * goes into it. With SMART app launch configured it is a {@code smart} link to the app's launch URL, the patient in
 * its {@code appContext}; otherwise an {@code absolute} link to {@value #PATH} on this server's public URL (or, with
 * none configured, the address the request came to, which the host check limits to loopback names).
 */
public final class DyadViewLink {

	public static final String PATH = "/app/dyad.html";
	public static final String LABEL = "Mother and baby: dyad view (weights, chart, cards)";

	private final String publicBaseUrl;
	private final String appLaunchUrl;

	/**
	 * @param publicBaseUrl {@code lactation-cds.public-base-url}, or null
	 * @param appLaunchUrl the app's SMART launch URL when SMART app launch is configured, else null
	 */
	public DyadViewLink(String publicBaseUrl, String appLaunchUrl) {
		this.publicBaseUrl = blank(publicBaseUrl) ? null : publicBaseUrl.trim().replaceAll("/+$", "");
		this.appLaunchUrl = blank(appLaunchUrl) ? null : appLaunchUrl.trim();
	}

	/**
	 * @param patientId the id of the patient in the hook's context
	 * @param requestBaseUrl the scheme, host and context path the request came to (used without a public URL)
	 */
	public Card.Link forPatient(String patientId, String requestBaseUrl) {
		String id = URLEncoder.encode(patientId, StandardCharsets.UTF_8);
		if (appLaunchUrl != null) {
			return new Card.Link(LABEL, appLaunchUrl, "smart", "{\"view\":\"dyad\",\"patient\":\"" + jsonString(patientId) + "\"}");
		}
		String base = publicBaseUrl != null ? publicBaseUrl : requestBaseUrl.replaceAll("/+$", "");
		return new Card.Link(LABEL, base + PATH + "?patient=" + id, "absolute");
	}

	private static String jsonString(String value) {
		return value.replace("\\", "\\\\").replace("\"", "\\\"");
	}

	private static boolean blank(String value) {
		return value == null || value.isBlank();
	}
}
