package org.lactationcds.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class FhirServerPropertiesTests {

	@Test
	void bindWhenNothingIsSetValidatesWritesAndPagesByTwenty() {
		FhirServerProperties properties = bind(Map.of());

		assertThat(properties.validateRequests()).isTrue();
		assertThat(properties.defaultPageSize()).isEqualTo(20);
		assertThat(properties.maxPageSize()).isEqualTo(500);
	}

	@Test
	void bindWhenSetTakesTheOperatorsValues() {
		FhirServerProperties properties = bind(Map.of(
				"lactation-cds.fhir.validate-requests", "false",
				"lactation-cds.fhir.default-page-size", "50",
				"lactation-cds.fhir.max-page-size", "1000"));

		assertThat(properties.validateRequests()).isFalse();
		assertThat(properties.defaultPageSize()).isEqualTo(50);
		assertThat(properties.maxPageSize()).isEqualTo(1000);
	}

	@Test
	void bindWhenDefaultPageExceedsMaximumFailsNamingBothValues() {
		assertThatThrownBy(() -> bind(Map.of(
						"lactation-cds.fhir.default-page-size", "100",
						"lactation-cds.fhir.max-page-size", "50")))
				.isInstanceOf(BindException.class)
				.getRootCause()
				.hasMessageContaining("100")
				.hasMessageContaining("50");
	}

	private static FhirServerProperties bind(Map<String, String> values) {
		return new Binder(new MapConfigurationPropertySource(values))
				.bindOrCreate("lactation-cds.fhir", FhirServerProperties.class);
	}
}
