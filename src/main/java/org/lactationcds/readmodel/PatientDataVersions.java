package org.lactationcds.readmodel;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import jakarta.persistence.EntityManager;
import java.util.Collection;
import java.util.Locale;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * One number per patient that changes in the same database transaction as every write to a resource in the
 * patient's compartment. Every instance on the database sees the new number exactly when it sees the write, so a
 * cache keyed by it is never stale, whichever instance wrote.
 */
public final class PatientDataVersions {

	static final String TABLE = "lcds_patient_data_version";

	private final JdbcTemplate jdbc;
	private final EntityManager entityManager;
	private final String bump;

	/** {@code entityManager}: the shared, transaction-bound one of the FHIR store (its writes' transaction). */
	public PatientDataVersions(JdbcTemplate jdbc, EntityManager entityManager) {
		this.jdbc = jdbc;
		this.entityManager = entityManager;
		String product = jdbc.execute((Connection connection) -> {
			DatabaseMetaData metaData = connection.getMetaData();
			return metaData.getDatabaseProductName();
		});
		this.bump = bumpStatement(product == null ? "" : product.toLowerCase(Locale.ROOT));
	}

	/** Upsert in one statement: two writers of a patient without a row yet must not both insert. */
	private static String bumpStatement(String product) {
		if (product.contains("postgres")) {
			return "INSERT INTO " + TABLE + " (patient_id, version) VALUES (?1, 1) ON CONFLICT (patient_id) DO UPDATE SET version = "
					+ TABLE + ".version + 1";
		}
		if (product.contains("h2")) {
			return "MERGE INTO " + TABLE + " t USING (VALUES (CAST(?1 AS VARCHAR(64)))) s(patient_id) ON t.patient_id = s.patient_id"
					+ " WHEN MATCHED THEN UPDATE SET version = t.version + 1"
					+ " WHEN NOT MATCHED THEN INSERT (patient_id, version) VALUES (s.patient_id, 1)";
		}
		throw new IllegalStateException("no patient data version statement for database '" + product + "'");
	}

	public void createSchema() {
		jdbc.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (patient_id VARCHAR(64) PRIMARY KEY, version BIGINT NOT NULL)");
	}

	/**
	 * Bumps each patient's version, in id order so that two transactions bumping the same patients take the row
	 * locks in the same order. Runs through JPA on the write's own transaction: committed apart from the write, a
	 * bump could be read before the write is visible and a cache would keep the old data under the new version. Outside
	 * a transaction JPA refuses the statement (the write fails rather than risk a stale read).
	 */
	public void bump(Collection<String> patientIds) {
		for (String id : patientIds.stream().sorted().distinct().toList()) {
			entityManager.createNativeQuery(bump).setParameter(1, id).executeUpdate();
		}
	}

	/** The patient's version; 0 for a patient nothing has been written for since this table exists. */
	public long current(String patientId) {
		try {
			Long version = jdbc.queryForObject("SELECT version FROM " + TABLE + " WHERE patient_id = ?", Long.class, patientId);
			return version == null ? 0 : version;
		} catch (EmptyResultDataAccessException none) {
			return 0;
		}
	}
}
