package org.lactationcds.evaluation;

import ca.uhn.fhir.repository.IRepository;
import ca.uhn.fhir.util.ParametersUtil;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.cqframework.cql.cql2elm.LibraryManager;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.opencds.cqf.cql.engine.data.CompositeDataProvider;
import org.opencds.cqf.cql.engine.data.DataProvider;
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
import org.opencds.cqf.fhir.cql.engine.terminology.RepositoryTerminologyProvider;
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
 * <p>Each request for a definition is one engine evaluation, and each engine evaluation first resolves the library and
 * everything it includes, a cost that grows with the include graph (the rule libraries by domain). The applicability
 * conditions of the PlanDefinition's rules are always all asked for, so the first of them to be asked for evaluates
 * them all in one engine evaluation; the texts and suggestion values stay one request each, asked only for the rules
 * that apply.
 *
 * <p>One instance serves one subject and one request's data. Should a definition throw, that engine is dropped (its
 * state is not trusted after a failure) and the definition is answered by the engine's own one-at-a-time path, so the
 * failing rule is isolated and reported as before while the others still answer.
 */
final class SubjectLibraryEngine extends LibraryEngine {

	private final Map<String, Set<String>> definitionsByLibrary;
	private final Map<String, Set<String>> conditionsByLibrary;
	/** Weak keys: the library managers of a knowledge version go with it. */
	private static final ThreadLocal<Map<EvaluationSettings, LibraryManager>> LIBRARY_MANAGERS =
			ThreadLocal.withInitial(WeakHashMap::new);

	private final Map<String, CqlEngine> engines = new HashMap<>();
	private final Map<String, IBaseParameters> conditionResults = new HashMap<>();
	private final Set<String> failedConditionBatches = new HashSet<>();
	private final CqlFhirParametersConverter converter;

	/**
	 * @param definitionsByLibrary for each library (unversioned url), the CQL definitions the PlanDefinitions name:
	 *     those are answered from the shared engine, anything else by the CQF engine's own path
	 * @param conditionsByLibrary for each library (unversioned url), the applicability conditions of the top-level
	 *     actions of the PlanDefinition applied: evaluated together when the first of them is asked for
	 */
	SubjectLibraryEngine(IRepository repository, EvaluationSettings settings, Map<String, Set<String>> definitionsByLibrary,
			Map<String, Set<String>> conditionsByLibrary) {
		super(repository, settings);
		this.definitionsByLibrary = definitionsByLibrary;
		this.conditionsByLibrary = conditionsByLibrary;
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
		IBaseParameters conditions = conditionsTogether(key, expression, definitions, libraryToBeEvaluated, subjectId,
				parameters, rawParameters, bundle);
		if (conditions != null) {
			return resolveParameterValues(ParametersUtil.getNamedParameters(fhirContext, conditions, expression));
		}
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
	 * The results of all the conditions of the library, evaluated in one engine evaluation the first time one of them is
	 * asked for; null when {@code expression} is not one of them, or when that evaluation failed (then each definition
	 * is evaluated on its own, so a failing rule is isolated as before).
	 */
	private IBaseParameters conditionsTogether(String key, String expression, Set<String> definitions,
			String libraryToBeEvaluated, String subjectId, IBaseParameters parameters, Map<String, Object> rawParameters,
			IBaseBundle bundle) {
		Set<String> together = new HashSet<>(conditionsByLibrary.getOrDefault(unversioned(libraryToBeEvaluated), Set.of()));
		together.retainAll(definitions);
		if (!together.contains(expression) || failedConditionBatches.contains(key)) {
			return null;
		}
		IBaseParameters results = conditionResults.get(key);
		if (results == null) {
			try {
				EvaluationResult evaluation = getEvaluationResult(VersionedIdentifiers.forUrl(libraryToBeEvaluated), subjectId,
						parameters, rawParameters, bundle, together, converter, null,
						engines.computeIfAbsent(key, ignored -> engineOver(bundle)));
				results = converter.toFhirParameters(evaluation);
			} catch (RuntimeException e) {
				engines.remove(key);
				failedConditionBatches.add(key);
				return null;
			}
			conditionResults.put(key, results);
		}
		return results;
	}

	/**
	 * The engine the CQF engine would build, its data answered by {@link RequestDataRetrieveProvider}: content holds no
	 * data (useServerData = false), so the request's Bundle is the only data source either way.
	 */
	private CqlEngine engineOver(IBaseBundle bundle) {
		TerminologyProvider terminology =
				new RepositoryTerminologyProvider(repository, settings.getValueSetCache(), settings.getTerminologySettings());
		RetrieveProvider retrieve = new RequestDataRetrieveProvider(fhirContext, bundle, terminology,
				() -> new RepositoryRetrieveProvider(new InMemoryFhirRepository(fhirContext, bundle), terminology,
						settings.getRetrieveSettings()));
		Map<String, DataProvider> data = new HashMap<>();
		data.put(Constants.FHIR_MODEL_URI, new CompositeDataProvider(
				FhirModelResolverCache.resolverForVersion(fhirContext.getVersion().getVersion()), retrieve));
		return new CqlEngine(new Environment(libraryManager(), data, terminology),
				settings.getCqlOptions().getCqlEngineOptions().getOptions());
	}

	/**
	 * The library manager of this thread for this knowledge, built as the CQF engine builds one the first time. Building
	 * one constructs a model manager, which scans the class path for model providers: about 8 % of an evaluation's CPU
	 * when done per engine. It is kept per thread because a library manager is not made to be shared between threads;
	 * the compiled libraries themselves are the knowledge snapshot's, shared.
	 */
	private LibraryManager libraryManager() {
		return LIBRARY_MANAGERS.get().computeIfAbsent(settings,
				ignored -> Engines.forRepository(repository, settings, null).getEnvironment().getLibraryManager());
	}

	private static String unversioned(String canonical) {
		int bar = canonical.indexOf('|');
		return bar < 0 ? canonical : canonical.substring(0, bar);
	}
}
