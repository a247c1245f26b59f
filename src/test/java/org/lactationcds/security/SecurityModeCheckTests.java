package org.lactationcds.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Open on loopback with a warning; elsewhere trust or an explicit opt-out, else no start. */
class SecurityModeCheckTests {

	static final PublicUrlProperties NO_URL = new PublicUrlProperties(null);

	static SecurityProperties security(String mode, String clientsFile) {
		return security(mode, clientsFile, null);
	}

	static SecurityProperties security(String mode, String clientsFile, List<SecurityProperties.FhirIssuer> issuers) {
		return new SecurityProperties(mode, clientsFile, List.of("RS384", "ES384"), Duration.ofSeconds(60), 1000, 1024, issuers, null, Duration.ofMinutes(5), false);
	}

	@Test
	void loopbackRunsOpenWithAWarning() {
		SecurityModeCheck.Decision decision = SecurityModeCheck.decide("127.0.0.1", security("auto", null), NO_URL);

		assertThat(decision.open()).isTrue();
		assertThat(decision.warnings()).singleElement().asString().contains("only this machine");
	}

	@Test
	void anyOtherAddressWithoutTrustRefusesToStartNamingTheSettings() {
		assertThatThrownBy(() -> SecurityModeCheck.decide("0.0.0.0", security("auto", null), NO_URL))
				.hasMessageContaining("Refusing to start")
				.hasMessageContaining("LACTATION_CDS_SECURITY_MODE=open")
				.hasMessageContaining("LACTATION_CDS_SECURITY_CDS_CLIENTS_FILE");
		assertThatThrownBy(() -> SecurityModeCheck.decide("", security("auto", null), NO_URL)).hasMessageContaining("all interfaces");
	}

	@Test
	void anyOtherAddressWithCdsClientsAndFhirIssuersStartsWithoutWarning() {
		SecurityModeCheck.Decision decision = SecurityModeCheck.decide("0.0.0.0",
				security("auto", "/etc/clients.json", List.of(new SecurityProperties.FhirIssuer("https://auth.example.org", "https://auth.example.org/jwks"))),
				new PublicUrlProperties("https://cds.example.org"));

		assertThat(decision.open()).isFalse();
		assertThat(decision.warnings()).isEmpty();
	}

	@Test
	void anyOtherAddressWithOnlyCdsClientsStillRefusesNamingTheFhirIssuers() {
		assertThatThrownBy(() -> SecurityModeCheck.decide("0.0.0.0", security("auto", "/etc/clients.json"),
				new PublicUrlProperties("https://cds.example.org")))
				.hasMessageContaining("FHIR REST OAuth2")
				.satisfies(e -> assertThat(e.getMessage()).doesNotContain("CLIENTS_FILE"));
	}

	@Test
	void explicitOpenModeStartsAnywhereWithAWarning() {
		SecurityModeCheck.Decision decision = SecurityModeCheck.decide("0.0.0.0", security("open", null), NO_URL);

		assertThat(decision.open()).isTrue();
		assertThat(decision.warnings()).singleElement().asString().contains("SECURITY MODE OPEN");
	}

	@Test
	void clientsFileWithoutPublicBaseUrlIsRefused() {
		assertThatThrownBy(() -> SecurityModeCheck.decide("127.0.0.1", security("auto", "/etc/clients.json"), NO_URL))
				.hasMessageContaining("LACTATION_CDS_PUBLIC_BASE_URL");
	}

	@Test
	void loopbackWithTrustedClientsIsNotOpenForCdsHooks() {
		SecurityModeCheck.Decision decision = SecurityModeCheck.decide("127.0.0.1", security("auto", "/etc/clients.json"),
				new PublicUrlProperties("https://cds.example.org"));

		assertThat(decision.open()).isFalse();
	}
}
