package org.lactationcds.cds.card;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lactationcds.discovery.SmartProperties;

/** The card link to the clinic app's dyad view: absolute on the public URL, or a SMART launch when configured. */
class DyadViewLinkTests {

	@Test
	void withoutSmartLaunchTheLinkIsTheDyadViewOnThePublicUrl() {
		Card.Link link = new DyadViewLink("https://cds.example.org/", null).forPatient("mom-1", "http://127.0.0.1:8080");

		assertThat(link.type()).isEqualTo("absolute");
		assertThat(link.url()).isEqualTo("https://cds.example.org/app/dyad.html?patient=mom-1");
		assertThat(link.appContext()).isNull();
	}

	@Test
	void withoutAPublicUrlTheLinkNamesTheAddressTheRequestCameTo() {
		Card.Link link = new DyadViewLink(" ", null).forPatient("inf-2", "http://127.0.0.1:8080/");

		assertThat(link.url()).isEqualTo("http://127.0.0.1:8080/app/dyad.html?patient=inf-2");
	}

	@Test
	void withSmartLaunchTheLinkIsTheAppsLaunchUrlWithThePatientInItsAppContext() {
		Card.Link link = new DyadViewLink("https://cds.example.org", "https://clinic.example.org/launch.html")
				.forPatient("mom-1", "http://127.0.0.1:8080");

		assertThat(link.type()).isEqualTo("smart");
		assertThat(link.url()).isEqualTo("https://clinic.example.org/launch.html");
		assertThat(link.appContext()).isEqualTo("{\"view\":\"dyad\",\"patient\":\"mom-1\"}");
	}

	@Test
	void smartLaunchNeedsTheLaunchUrlAndTheAuthorizationEndpoint() {
		assertThat(smart("https://auth.example.org/authorize", "https://clinic.example.org/launch.html").appLaunchConfigured()).isTrue();
		assertThat(smart(null, "https://clinic.example.org/launch.html").appLaunchConfigured()).isFalse();
		assertThat(smart("https://auth.example.org/authorize", null).appLaunchConfigured()).isFalse();
	}

	static SmartProperties smart(String authorizationEndpoint, String appLaunchUrl) {
		return new SmartProperties(null, authorizationEndpoint, "https://auth.example.org/token", null, null, null, null,
				List.of(), List.of(), List.of(), List.of(), appLaunchUrl, null, List.of());
	}
}
