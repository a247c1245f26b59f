package org.lactationcds.cds.card;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Card UUIDs are stable, distinct per evidence, valid RFC 9562 version 8 UUIDs, and name their rule. */
class CardUuidsTests {

	static final List<String> RULES = List.of("RF-MASTITIS", "RF-POSTPARTUM-FEVER", "MED-GALACTOGOGUE");

	@Test
	void sameRulePatientAndEvidenceGiveTheSameUuid() {
		assertThat(CardUuids.card("RF-MASTITIS", "Patient/m", "T 38.6")).isEqualTo(CardUuids.card("RF-MASTITIS", "Patient/m", "T 38.6"));
		assertThat(CardUuids.card("RF-MASTITIS", "Patient/m", "T 38.6")).isNotEqualTo(CardUuids.card("RF-MASTITIS", "Patient/m", "T 38.7"));
		assertThat(CardUuids.card("RF-MASTITIS", "Patient/m", "T 38.6")).isNotEqualTo(CardUuids.card("RF-MASTITIS", "Patient/n", "T 38.6"));
	}

	@Test
	void uuidIsVersion8WithTheRfcVariant() {
		UUID uuid = CardUuids.card("RF-MASTITIS", "Patient/m", "e");

		assertThat(uuid.version()).isEqualTo(8);
		assertThat(uuid.variant()).isEqualTo(2);
		assertThat(UUID.fromString(uuid.toString())).isEqualTo(uuid);
	}

	@Test
	void ruleIsReadBackFromTheCardUuidOnly() {
		UUID uuid = CardUuids.card("RF-POSTPARTUM-FEVER", "Patient/m", "evidence");

		assertThat(CardUuids.ruleOf(uuid, RULES)).hasValue("RF-POSTPARTUM-FEVER");
		assertThat(CardUuids.ruleOf(UUID.randomUUID(), RULES)).isEmpty();
		assertThat(CardUuids.ruleOf(CardUuids.suggestion(uuid, "x"), RULES)).isEmpty();
	}
}
