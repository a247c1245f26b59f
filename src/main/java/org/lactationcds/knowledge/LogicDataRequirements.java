package org.lactationcds.knowledge;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.cqframework.cql.cql2elm.CqlCompilerException;
import org.cqframework.cql.cql2elm.LibraryManager;
import org.cqframework.cql.cql2elm.ModelManager;
import org.cqframework.cql.cql2elm.model.CompiledLibrary;
import org.cqframework.cql.elm.requirements.fhir.DataRequirementsProcessor;
import org.hl7.elm.r1.VersionedIdentifier;
import org.hl7.fhir.r4.model.Library;
import org.opencds.cqf.fhir.cql.EvaluationSettings;

/**
 * What a set of CQL definitions reads, found in the compiled logic (the CQL-to-ELM data requirements analysis,
 * following includes) and answered with the queries the library declares: a service reads what its rules retrieve, and
 * a rule that retrieves patient data its library does not declare stops the knowledge from loading. Types outside the
 * Patient compartment are not patient data to prefetch: a Medication is read where an order references it, a
 * ConceptMap is knowledge.
 */
final class LogicDataRequirements {

	private final FhirContext fhirContext;
	private final KnowledgePackage knowledge;
	private final EvaluationSettings settings;
	private final LibraryManager libraryManager;
	/** By library canonical and definition names: computed once per knowledge version. */
	private final Map<String, List<DataRequirement>> computed = new ConcurrentHashMap<>();
	/** The analysis itself, by library and definition names: the load check and the plan's reads share one. */
	private final Map<String, Set<String>> retrieved = new ConcurrentHashMap<>();

	LogicDataRequirements(FhirContext fhirContext, KnowledgePackage knowledge, EvaluationSettings settings) {
		this.fhirContext = fhirContext;
		this.knowledge = knowledge;
		this.settings = settings;
		// The compiled libraries are in the settings' cache (CqlLibraryCompiler ran first): nothing is translated again.
		this.libraryManager = new LibraryManager(new ModelManager(settings.getModelCache()),
				settings.getCqlOptions().getCqlCompilerOptions(), settings.getLibraryCache());
	}

	/**
	 * The dyad links and the declared requirements of {@code libraryCanonical} whose type {@code definitions} retrieve,
	 * in the library's order.
	 */
	List<DataRequirement> of(String libraryCanonical, Set<String> definitions) {
		return computed.computeIfAbsent(libraryCanonical + " " + new TreeSet<>(definitions),
				ignored -> compute(libraryCanonical, definitions));
	}

	/** Checks that every declared requirement is read by some definition of {@code definitions}. */
	void checkAllRead(String libraryCanonical, Set<String> definitions) {
		Library library = library(libraryCanonical);
		Set<String> read = retrievedPatientTypes(library, definitions);
		for (DataRequirement declared : DataRequirement.declaredBy(library)) {
			if (!read.contains(declared.type())) {
				throw new KnowledgeException("Library/" + library.getName() + " declares the data requirement '"
						+ declared.key() + "' (" + declared.type() + ") but no rule of its PlanDefinitions retrieves "
						+ declared.type() + ": remove it, or it is fetched for nothing");
			}
		}
	}

	private List<DataRequirement> compute(String libraryCanonical, Set<String> definitions) {
		Library library = library(libraryCanonical);
		List<DataRequirement> declared = DataRequirement.declaredBy(library);
		Set<String> retrieved = retrievedPatientTypes(library, definitions);
		List<DataRequirement> reads = new ArrayList<>(DataRequirement.DYAD_LINKS);
		for (DataRequirement requirement : declared) {
			boolean link = DataRequirement.DYAD_LINKS.stream().anyMatch(known -> known.key().equals(requirement.key()));
			if (link && !DataRequirement.DYAD_LINKS.contains(requirement)) {
				throw new KnowledgeException("Library/" + library.getName() + " declares '" + requirement.key()
						+ "' as " + requirement.query() + ", but that key is the dyad link read " + DataRequirement.DYAD_LINKS);
			}
			if (!link && retrieved.contains(requirement.type())) {
				reads.add(requirement);
			}
		}
		Set<String> covered = new LinkedHashSet<>();
		reads.forEach(requirement -> covered.add(requirement.type()));
		retrieved.removeAll(covered);
		if (!retrieved.isEmpty()) {
			throw new KnowledgeException("Library/" + library.getName() + " (with its includes) retrieves " + retrieved
					+ " but declares no dataRequirement for it: add one with the query that reads it for a patient");
		}
		return List.copyOf(reads);
	}

	private Set<String> retrievedPatientTypes(Library library, Set<String> definitions) {
		return new TreeSet<>(retrieved.computeIfAbsent(library.getUrl() + "|" + library.getVersion() + " " + new TreeSet<>(definitions),
				ignored -> analyse(library, definitions)));
	}

	private Set<String> analyse(Library library, Set<String> definitions) {
		VersionedIdentifier id = new VersionedIdentifier().withId(library.getName()).withVersion(library.getVersion());
		org.hl7.fhir.r5.model.Library requirements;
		synchronized (libraryManager) {
			CompiledLibrary compiled = libraryManager.resolveLibrary(id, new ArrayList<CqlCompilerException>());
			requirements = new DataRequirementsProcessor().gatherDataRequirements(libraryManager, compiled,
					settings.getCqlOptions().getCqlCompilerOptions(), definitions, false, true);
		}
		Set<String> types = new TreeSet<>();
		for (org.hl7.fhir.r5.model.DataRequirement requirement : requirements.getDataRequirement()) {
			String type = requirement.getType().toCode();
			if (type.equals("Patient")
					|| !fhirContext.getResourceDefinition(type).getSearchParamsForCompartmentName("Patient").isEmpty()) {
				types.add(type);
			}
		}
		return types;
	}

	private Library library(String canonical) {
		String[] parts = canonical.split("\\|", 2);
		return knowledge.resourcesOfType(Library.class).stream()
				.filter(library -> library.getUrl().equals(parts[0]) && (parts.length == 1 || parts[1].equals(library.getVersion())))
				.findFirst()
				.orElseThrow(() -> new KnowledgeException("no Library " + canonical + " in " + knowledge.location()));
	}
}
