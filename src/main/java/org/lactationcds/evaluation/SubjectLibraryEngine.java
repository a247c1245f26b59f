package org.lactationcds.evaluation;

import ca.uhn.fhir.repository.IRepository;
import ca.uhn.fhir.util.ParametersUtil;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.opencds.cqf.cql.engine.data.CompositeDataProvider;
import org.opencds.cqf.cql.engine.execution.CqlEngine;
import org.opencds.cqf.cql.engine.execution.Environment;
import org.opencds.cqf.cql.engine.execution.EvaluationResult;
import org.opencds.cqf.cql.engine.retrieve.RetrieveProvider;
import org.opencds.cqf.cql.engine.terminology.TerminologyProvider;
import org.opencds.cqf.fhir.cql.Engines;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.opencds.cqf.fhir.cql.LibraryEngine;
import org.opencds.cqf.fhir.cql.VersionedIdentifiers;
import org.opencds.cqf.fhir.cql.engine.parameters.CqlFhirParametersConverter;
import org.opencds.cqf.fhir.cql.engine.retrieve.RepositoryRetrieveProvider;
import org.opencds.cqf.fhir.utility.Constants;
import org.opencds.cqf.fhir.utility.model.FhirModelResolverCache;
import org.opencds.cqf.fhir.utility.repository.InMemoryFhirRepository;

/**
 * The CQF engine's $apply asks its LibraryEngine for one CQL definition at a time (each action's condition, then the
 * dynamic values of the actions that apply), and the LibraryEngine builds a new CQL engine for each: every request
 * re-reads the data and re-evaluates every definition it depends on (about 80 requests per subject for the red-flag
 * PlanDefinition). This one keeps one CQL engine per library for the subject, so its expression cache is shared by
 * every request: a definition is evaluated at most once, and only when $apply asks for it (the texts of a rule that
 * does not apply never are).
 *
 * <p>One instance serves one subject and one request's data. Should a definition throw, that engine is dropped (its
 * state is not trusted after a failure) and the definition is answered by the engine's own one-at-a-time path, so the
 * failing rule is isolated and reported as before while the others still answer.
 */
final class SubjectLibraryEngine extends LibraryEngine {

	private final Map<String, Set<String>> definitionsByLibrary;
	private final Map<String, CqlEngine> engines = new HashMap<>();
	private final CqlFhirParametersConverter converter;

	/**
	 * @param definitionsByLibrary for each library (unversioned url), the CQL definitions the PlanDefinitions name:
	 *     those are answered from the shared engine, anything else by the CQF engine's own path
	 */
	SubjectLibraryEngine(IRepository repository, EvaluationSettings settings, Map<String, Set<String>> definitionsByLibrary) {
		super(repository, settings);
		this.definitionsByLibrary = definitionsByLibrary;
		this.converter = Engines.getCqlFhirParametersConverter(fhirContext);
	}

	@Override
	public List<IBase> getExpressionResult(
			String subjectId,
			String expression,
			String language,
			String libraryToBeEvaluated,
			Map<String, String> referencedLibraries,
			IBaseParameters parameters,
			Map<String, Object> rawParameters,
			IBaseBundle bundle,
			IBase contextParameter,
			IBase resourceParameter) {
		Set<String> definitions = libraryToBeEvaluated == null ? null : definitionsByLibrary.get(unversioned(libraryToBeEvaluated));
		if (definitions == null || !definitions.contains(expression) || !"text/cql-identifier".equals(language)) {
			return super.getExpressionResult(subjectId, expression, language, libraryToBeEvaluated, referencedLibraries,
					parameters, rawParameters, bundle, contextParameter, resourceParameter);
		}
		String key = libraryToBeEvaluated + "\n" + subjectId;
		IBaseParameters result;
		try {
			EvaluationResult evaluation = getEvaluationResult(VersionedIdentifiers.forUrl(libraryToBeEvaluated), subjectId,
					parameters, rawParameters, bundle, Set.of(expression), converter, null,
					engines.computeIfAbsent(key, ignored -> engineOver(bundle)));
			result = converter.toFhirParameters(evaluation);
		} catch (RuntimeException e) {
			engines.remove(key);
			return super.getExpressionResult(subjectId, expression, language, libraryToBeEvaluated, referencedLibraries,
					parameters, rawParameters, bundle, contextParameter, resourceParameter);
		}
		return resolveParameterValues(ParametersUtil.getNamedParameters(fhirContext, result, expression));
	}

	/**
	 * The engine the CQF engine would build, its data answered by {@link RequestDataRetrieveProvider}: content holds no
	 * data (useServerData = false), so the request's Bundle is the only data source either way.
	 */
	private CqlEngine engineOver(IBaseBundle bundle) {
		CqlEngine engine = Engines.forRepository(repository, settings, null);
		Environment environment = engine.getEnvironment();
		TerminologyProvider terminology = environment.getTerminologyProvider();
		RetrieveProvider retrieve = new RequestDataRetrieveProvider(fhirContext, bundle, terminology,
				() -> new RepositoryRetrieveProvider(new InMemoryFhirRepository(fhirContext, bundle), terminology,
						settings.getRetrieveSettings()));
		environment.registerDataProvider(Constants.FHIR_MODEL_URI, new CompositeDataProvider(
				FhirModelResolverCache.resolverForVersion(fhirContext.getVersion().getVersion()), retrieve));
		return engine;
	}

	private static String unversioned(String canonical) {
		int bar = canonical.indexOf('|');
		return bar < 0 ? canonical : canonical.substring(0, bar);
	}
}
