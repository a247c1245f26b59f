package org.lactationcds.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides at start-up whether the server may run as configured. Bound to a loopback address it may run open (only
 * this machine can call it), with a warning. Bound to any other address it needs trust, or an explicit
 * {@code LACTATION_CDS_SECURITY_MODE=open}; otherwise it refuses to start and names the missing settings.
 *
 * <p>Trust for network use means every entry point authenticated: CDS clients by their JWTs (a clients file) and FHIR
 * REST by OAuth2 bearer tokens (issuers). Both are needed off loopback.
 */
public final class SecurityModeCheck {

	private static final Logger log = LoggerFactory.getLogger(SecurityModeCheck.class);

	/** The outcome: whether the server runs open, and the warnings to log. */
	public record Decision(boolean open, List<String> warnings) {}

	public static Decision decide(String serverAddress, SecurityProperties security, PublicUrlProperties publicUrl) {
		List<String> warnings = new ArrayList<>();
		boolean loopback = isLoopback(serverAddress);
		if (security.cdsClientsConfigured() && (publicUrl.publicBaseUrl() == null || publicUrl.publicBaseUrl().isBlank())) {
			throw new IllegalStateException("lactation-cds.security.cds-clients-file is set but LACTATION_CDS_PUBLIC_BASE_URL "
					+ "(lactation-cds.public-base-url) is not: the audience of CDS client JWTs is computed from it");
		}
		if (security.open()) {
			warnings.add("SECURITY MODE OPEN (LACTATION_CDS_SECURITY_MODE=open): FHIR REST is unauthenticated"
					+ (security.cdsClientsConfigured() ? "" : " and so are CDS Hooks calls") + ", on " + describe(serverAddress));
			return new Decision(true, warnings);
		}
		boolean trusted = security.cdsClientsConfigured() && security.fhirIssuersConfigured();
		if (!loopback && !trusted) {
			List<String> missing = new ArrayList<>();
			if (!security.cdsClientsConfigured()) {
				missing.add("LACTATION_CDS_SECURITY_CDS_CLIENTS_FILE and LACTATION_CDS_PUBLIC_BASE_URL (CDS Hooks)");
			}
			if (!security.fhirIssuersConfigured()) {
				missing.add("LACTATION_CDS_SECURITY_FHIR_ISSUERS_0_ISSUER and _JWK_SET_URI (FHIR REST OAuth2)");
			}
			throw new IllegalStateException("Refusing to start: bound to " + describe(serverAddress) + " without trust. "
					+ "Missing: " + String.join("; ", missing) + ". Or bind to 127.0.0.1 (SERVER_ADDRESS), or set "
					+ "LACTATION_CDS_SECURITY_MODE=open to run unauthenticated on purpose.");
		}
		if (!trusted) {
			warnings.add("Running on loopback " + describe(serverAddress) + " with "
					+ (security.fhirIssuersConfigured() ? "" : "FHIR REST unauthenticated")
					+ (!security.fhirIssuersConfigured() && !security.cdsClientsConfigured() ? " and " : "")
					+ (security.cdsClientsConfigured() ? "" : "CDS Hooks open to any caller")
					+ ": only this machine can reach it. Do not expose it without trust.");
		}
		return new Decision(!security.cdsClientsConfigured(), warnings);
	}

	public static void logDecision(Decision decision) {
		decision.warnings().forEach(warning -> log.warn("\n\n  *** {} ***\n", warning));
	}

	static boolean isLoopback(String address) {
		if (address == null || address.isBlank()) {
			return false; // Spring binds every interface when no address is set
		}
		try {
			return InetAddress.getByName(address).isLoopbackAddress();
		} catch (UnknownHostException e) {
			return false;
		}
	}

	private static String describe(String address) {
		return address == null || address.isBlank() ? "all interfaces" : address;
	}
}
