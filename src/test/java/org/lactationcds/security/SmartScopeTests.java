package org.lactationcds.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** SMART v2 and v1 resource scopes, as permissions. */
class SmartScopeTests {

	@Test
	void v2ScopesGrantTheirLetters() {
		SmartScope scope = SmartScope.parse("patient/Observation.rs").orElseThrow();

		assertThat(scope.level()).isEqualTo("patient");
		assertThat(scope.resourceType()).isEqualTo("Observation");
		assertThat(scope.permissions()).containsExactlyInAnyOrder('r', 's');
		assertThat(SmartScope.parse("system/*.cruds").orElseThrow().permissions()).containsExactlyInAnyOrder('c', 'r', 'u', 'd', 's');
	}

	@Test
	void v1ScopesAreReadAsTheirV2Equivalents() {
		assertThat(SmartScope.parse("user/Patient.read").orElseThrow().permissions()).containsExactlyInAnyOrder('r', 's');
		assertThat(SmartScope.parse("user/Patient.write").orElseThrow().permissions()).containsExactlyInAnyOrder('c', 'u', 'd');
		assertThat(SmartScope.parse("patient/*.*").orElseThrow().permissions()).hasSize(5);
	}

	@Test
	void otherScopesGrantNothing() {
		assertThat(SmartScope.parse("openid")).isEmpty();
		assertThat(SmartScope.parse("launch/patient")).isEmpty();
		assertThat(SmartScope.parse("patient/Observation.rs?category=vital-signs")).isEmpty();
		assertThat(SmartScope.parse("patient/Observation.sr")).as("v2 letters are in cruds order").isEmpty();
		assertThat(SmartScope.parse("admin/*.cruds")).isEmpty();
	}
}
