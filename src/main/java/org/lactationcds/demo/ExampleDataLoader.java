package org.lactationcds.demo;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Comparator;
import java.util.List;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.lactationcds.knowledge.KnowledgeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Loads the demo dyads so that a new user sees cards on the first call. Each example is a transaction Bundle whose
 * {@code timestamp} is the moment its data was written for; its data is moved so that moment is now, so a 4-day-old
 * infant is 4 days old, and a fever 16 hours old, whenever the server starts. Loaded with PUT by id:
 * a restart refreshes the same demo patients, never duplicates them.
 */
public final class ExampleDataLoader implements ApplicationRunner {

	private static final String BIRTH_TIME = "http://hl7.org/fhir/StructureDefinition/patient-birthTime";

	private static final Logger log = LoggerFactory.getLogger(ExampleDataLoader.class);

	private final boolean enabled;
	private final String location;
	private final FhirContext fhirContext;
	private final IFhirSystemDao<Bundle, ?> systemDao;
	private final Clock clock;

	public ExampleDataLoader(
			boolean enabled, String location, FhirContext fhirContext, IFhirSystemDao<Bundle, ?> systemDao, Clock clock) {
		this.enabled = enabled;
		this.location = location;
		this.fhirContext = fhirContext;
		this.systemDao = systemDao;
		this.clock = clock;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (!enabled) {
			log.info("Demo data not loaded (lactation-cds.examples.load=false, the default off the embedded database)");
			return;
		}
		org.springframework.core.io.Resource[] files = examples(location);
		for (org.springframework.core.io.Resource file : files) {
			Bundle transaction = read(fhirContext, file);
			long days = shiftToNow(transaction, clock.instant());
			systemDao.transaction(new SystemRequestDetails(), transaction);
			log.info("Loaded demo data {} ({} resources, dates moved by {} days)", file.getFilename(), transaction.getEntry().size(), days);
		}
	}

	/**
	 * Moves the Bundle's data so that its {@code timestamp} becomes {@code now} (to the minute, never after it). Times
	 * move by exactly that span, so a fever written 16 hours before the timestamp is 16 hours old whatever the time
	 * of day, and nothing lands in the future. Dates without a time move by whole calendar days; an infant's
	 * {@code birthDate} is then re-read from its moved birthTime, so the two never disagree.
	 *
	 * @return the whole days moved
	 */
	public static long shiftToNow(Bundle transaction, Instant now) {
		if (!transaction.hasTimestamp()) {
			throw new KnowledgeException("a demo Bundle needs a timestamp: the moment its dates were written for");
		}
		Instant written = transaction.getTimestamp().toInstant();
		long minutes = Duration.between(written, now).toMinutes();
		long days = ChronoUnit.DAYS.between(
				written.atZone(ZoneOffset.UTC).toLocalDate(),
				written.plus(minutes, ChronoUnit.MINUTES).atZone(ZoneOffset.UTC).toLocalDate());
		for (Bundle.BundleEntryComponent entry : transaction.getEntry()) {
			shift(entry.getResource(), Math.toIntExact(minutes), Math.toIntExact(days));
		}
		return days;
	}

	/** Every element, extensions on primitives included (an infant's birthTime sits on birthDate). */
	private static void shift(Base element, int minutes, int days) {
		for (Property property : element.children()) {
			for (Base value : property.getValues()) {
				shift(value, minutes, days);
			}
		}
		if (element instanceof BaseDateTimeType date && date.getValue() != null) {
			if (date.getPrecision().ordinal() > TemporalPrecisionEnum.DAY.ordinal()) {
				date.add(Calendar.MINUTE, minutes);
			} else if (date.getPrecision() == TemporalPrecisionEnum.DAY && date.hasExtension(BIRTH_TIME)
					&& date.getExtensionByUrl(BIRTH_TIME).getValue() instanceof DateTimeType birthTime && birthTime.hasValue()) {
				date.setValueAsString(birthTime.getValueAsString().substring(0, 10));
			} else {
				date.add(Calendar.DATE, days);
			}
		}
	}

	/** The example transaction Bundles at {@code location}, dates as written (not yet moved to today). */
	public static List<Bundle> readAll(String location, FhirContext fhirContext) {
		return Arrays.stream(examples(location)).map(file -> read(fhirContext, file)).toList();
	}

	private static org.springframework.core.io.Resource[] examples(String location) {
		try {
			org.springframework.core.io.Resource[] files =
					new PathMatchingResourcePatternResolver().getResources(location + "/*.json");
			Arrays.sort(files, Comparator.comparing(org.springframework.core.io.Resource::getFilename));
			return files;
		} catch (IOException e) {
			throw new KnowledgeException("cannot list demo data at " + location + ": " + e.getMessage());
		}
	}

	private static Bundle read(FhirContext fhirContext, org.springframework.core.io.Resource file) {
		try (InputStream in = file.getInputStream()) {
			return fhirContext.newJsonParser().parseResource(Bundle.class, new String(in.readAllBytes(), StandardCharsets.UTF_8));
		} catch (IOException e) {
			throw new KnowledgeException("cannot read demo data " + file.getFilename() + ": " + e.getMessage());
		}
	}
}
