package org.lactationcds.cds.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.lactationcds.cds.card.CardUuids;
import org.springframework.jdbc.core.JdbcTemplate;

/** Card uuids that only this server can make, for one client. */
class IssuedCardsTests {

	final UUID card = CardUuids.card("RF-INFANT-WEIGHT-LOSS", "Patient/demo-wl-infant", "evidence");

	@Test
	void tagWhenCheckedForTheSameClientIsIssuedAndForAnotherIsNot() {
		IssuedCards cards = IssuedCards.load(TestClients.database(), null);
		UUID tagged = cards.tag(card, "https://ehr.example.org");

		assertThat(cards.issuedTo(tagged, "https://ehr.example.org")).isTrue();
		assertThat(cards.issuedTo(tagged, "https://other-ehr.example.org")).isFalse();
		assertThat(cards.issuedTo(card, "https://ehr.example.org")).as("untagged").isFalse();
		assertThat(CardUuids.ruleOf(tagged, java.util.List.of("RF-INFANT-WEIGHT-LOSS"))).contains("RF-INFANT-WEIGHT-LOSS");
		assertThat(tagged.version()).isEqualTo(8);
		assertThat(cards.tag(card, "https://ehr.example.org")).as("stable").isEqualTo(tagged);
	}

	@Test
	void tagWhenAnyBitIsChangedIsNotIssued() {
		IssuedCards cards = IssuedCards.load(TestClients.database(), null);
		UUID tagged = cards.tag(card, "");

		for (int bit = 0; bit < 64; bit++) {
			UUID flipped = new UUID(tagged.getMostSignificantBits(), tagged.getLeastSignificantBits() ^ (1L << bit));
			assertThat(cards.issuedTo(flipped, "")).as("bit %d", bit).isFalse();
		}
	}

	@Test
	void loadWhenTheKeyIsInTheDatabaseEveryInstanceAgreesAndAnotherServerDoesNot() {
		JdbcTemplate shared = TestClients.database();
		UUID tagged = IssuedCards.load(shared, null).tag(card, "c");

		assertThat(IssuedCards.load(shared, null).issuedTo(tagged, "c")).isTrue();
		assertThat(IssuedCards.load(TestClients.database(), null).issuedTo(tagged, "c")).isFalse();
		assertThat(IssuedCards.load(TestClients.database(), "a configured key of at least 32 characters").issuedTo(tagged, "c")).isFalse();
		assertThatThrownBy(() -> IssuedCards.load(shared, "short")).hasMessageContaining("at least 32");
	}
}
