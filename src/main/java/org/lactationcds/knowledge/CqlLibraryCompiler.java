package org.lactationcds.knowledge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import kotlinx.io.Buffer;
import kotlinx.io.Source;
import kotlinx.io.Utf8Kt;
import org.cqframework.cql.cql2elm.CqlCompilerException;
import org.cqframework.cql.cql2elm.LibraryManager;
import org.cqframework.cql.cql2elm.LibrarySourceProvider;
import org.cqframework.cql.cql2elm.ModelManager;
import org.cqframework.cql.cql2elm.quick.FhirLibrarySourceProvider;
import org.hl7.elm.r1.VersionedIdentifier;
import org.hl7.fhir.r4.model.Library;
import org.opencds.cqf.fhir.cql.EvaluationSettings;

/**
 * Translates every CQL library of a knowledge package once, with the compiler options and into the compiled-library
 * cache that evaluation uses, so that no caller pays a cold compile. Any translator error stops the package with the
 * library, line and message of each error.
 */
public final class CqlLibraryCompiler {

	/**
	 * Compiles every CQL library of the package into the settings' compiled-library cache; throws
	 * {@link KnowledgeException} listing all errors.
	 */
	public void compile(KnowledgePackage knowledge, EvaluationSettings evaluationSettings) {
		LibraryManager libraryManager = new LibraryManager(
				new ModelManager(evaluationSettings.getModelCache()),
				evaluationSettings.getCqlOptions().getCqlCompilerOptions(),
				evaluationSettings.getLibraryCache());
		libraryManager.getLibrarySourceLoader().registerProvider(new FhirLibrarySourceProvider());
		libraryManager.getLibrarySourceLoader().registerProvider(new PackageSourceProvider(knowledge));

		List<String> errors = new ArrayList<>();
		for (Library library : knowledge.cqlLibraries()) {
			VersionedIdentifier id = new VersionedIdentifier().withId(library.getName()).withVersion(library.getVersion());
			List<CqlCompilerException> problems = new ArrayList<>();
			try {
				libraryManager.resolveLibrary(id, problems);
			} catch (CqlCompilerException e) {
				problems.add(e);
			}
			problems.stream()
					.filter(problem -> problem.getSeverity() == CqlCompilerException.ErrorSeverity.Error)
					.map(problem -> describe(library.getName(), problem))
					.forEach(errors::add);
		}
		if (!errors.isEmpty()) {
			throw new KnowledgeException("CQL does not compile in " + knowledge.location() + ":\n  "
					+ String.join("\n  ", errors));
		}
	}

	private static String describe(String libraryName, CqlCompilerException problem) {
		var locator = problem.getLocator();
		String where = locator == null
				? libraryName
				: (locator.getLibrary() == null ? libraryName : locator.getLibrary().getId()) + " line "
						+ locator.getStartLine() + ":" + locator.getStartChar();
		return where + ": " + problem.getMessage();
	}

	/** Serves the package's CQL sources to the translator by library name and version. */
	private record PackageSourceProvider(KnowledgePackage knowledge) implements LibrarySourceProvider {

		@Override
		public Source getLibrarySource(VersionedIdentifier id) {
			String cql = id.getVersion() != null ? knowledge.cql(id.getId(), id.getVersion()) : latest(id.getId());
			if (cql == null) {
				return null;
			}
			Buffer buffer = new Buffer();
			Utf8Kt.writeString(buffer, cql, 0, cql.length());
			return buffer;
		}

		/** An include without a version takes the highest version present. */
		private String latest(String name) {
			return knowledge.cqlByLibrary().entrySet().stream()
					.filter(entry -> entry.getKey().startsWith(name + "|"))
					.max(Map.Entry.comparingByKey())
					.map(Map.Entry::getValue)
					.orElse(null);
		}
	}
}
