package org.lactationcds.cds.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lactationcds.support.PostgresTestServer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Replay state of CDS client tokens in the database, on both databases the server runs on. */
class TokenUseStoreTests {

	static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
	static final Instant LATER = NOW.plusSeconds(300);

	static Stream<String> databases() {
		return Stream.of("h2", "postgresql");
	}

	static JdbcTemplate database(String kind) {
		if (kind.equals("h2")) {
			return TestClients.database();
		}
		PostgresTestServer.TestDatabase database = PostgresTestServer.get().createDatabase();
		return new JdbcTemplate(new DriverManagerDataSource(database.url(), database.username(), database.password()));
	}

	@ParameterizedTest
	@MethodSource("databases")
	void recordWhenTheIdWasSeenByAnotherInstanceOrBeforeARestartIsAReplay(String kind) {
		JdbcTemplate jdbc = database(kind);
		TokenUseStore first = new TokenUseStore(jdbc, 10).createSchema();
		TokenUseStore second = new TokenUseStore(jdbc, 10).createSchema(); // another instance, or the same after a restart

		assertThat(first.record("https://ehr.example.org", "jti-1", LATER, NOW)).isEqualTo(TokenUseStore.Use.FIRST);
		assertThat(second.record("https://ehr.example.org", "jti-1", LATER, NOW)).isEqualTo(TokenUseStore.Use.REPLAY);
		assertThat(first.record("https://ehr.example.org", "jti-1", LATER, NOW)).isEqualTo(TokenUseStore.Use.REPLAY);
		assertThat(second.record("https://other.example.org", "jti-1", LATER, NOW))
				.as("ids are per issuer").isEqualTo(TokenUseStore.Use.FIRST);
	}

	@ParameterizedTest
	@MethodSource("databases")
	void recordWhenOneIssuerIsFullRefusesOnlyThatIssuerUntilItsIdsExpire(String kind) {
		JdbcTemplate jdbc = database(kind);
		TokenUseStore store = new TokenUseStore(jdbc, 3).createSchema();
		for (int i = 0; i < 3; i++) {
			assertThat(store.record("https://noisy.example", "n-" + i, LATER, NOW)).isEqualTo(TokenUseStore.Use.FIRST);
		}

		assertThat(store.record("https://noisy.example", "n-3", LATER, NOW)).isEqualTo(TokenUseStore.Use.ISSUER_FULL);
		assertThat(store.record("https://noisy.example", "n-0", LATER, NOW)).isEqualTo(TokenUseStore.Use.REPLAY);
		assertThat(store.record("https://quiet.example", "q-0", LATER, NOW))
				.as("another issuer is not locked out").isEqualTo(TokenUseStore.Use.FIRST);
		assertThat(store.record("https://noisy.example", "n-3", LATER.plusSeconds(600), LATER.plusSeconds(1)))
				.as("expired ids are purged").isEqualTo(TokenUseStore.Use.FIRST);
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM lcds_cds_token_use WHERE issuer = 'https://noisy.example'", Integer.class))
				.isEqualTo(1);
	}
}
