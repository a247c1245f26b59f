package org.lactationcds.governance;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cqframework.cql.cql2elm.model.CompiledLibrary;
import org.hl7.elm.r1.ExpressionDef;
import org.hl7.elm.r1.VersionedIdentifier;
import org.hl7.fhir.r4.model.ActivityDefinition;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Expression;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.RelatedArtifact;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ValueSet;
import org.lactationcds.evaluation.EvaluationBudget;
import org.lactationcds.evaluation.EvaluationRequest;
import org.lactationcds.evaluation.EvaluationResult;
import org.lactationcds.evaluation.PlanDefinitionEvaluator;
import org.lactationcds.knowledge.KnowledgeException;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.lactationcds.knowledge.KnowledgePackage;
import org.lactationcds.knowledge.KnowledgeSnapshot;
import org.lactationcds.knowledge.KnowledgeStoreReader;

/**
 * Decides whether a candidate knowledge set (the published set with a change applied) may run. Steps: no (url,
 * version) published twice and no published version changed in place; every CQL library compiles together with the
 * libraries that include it; every canonical into the project's space resolves at its version; the CDS services'
 * PlanDefinition exists and every CQL expression a PlanDefinition names is defined; each PlanDefinition the change
 * can affect evaluates without error, within the time budget, for every patient of the demo dyads. Each problem is one line naming what
 * broke.
 */
final class CandidateCheck {

	private static final Pattern CQL_TERMINOLOGY =
			Pattern.compile("^\\s*(?:valueset|codesystem)\\s+\"[^\"]+\"\\s*:\\s*'([^']+)'", Pattern.MULTILINE);

	private final KnowledgeLoader loader;
	private final EvaluationBudget budget;
	private final FhirContext fhirContext;
	private final String cdsPlanDefinition;
	private final List<Bundle> demoDyads;

	CandidateCheck(
			KnowledgeLoader loader,
			EvaluationBudget budget,
			FhirContext fhirContext,
			String cdsPlanDefinition,
			List<Bundle> demoDyads) {
		this.loader = loader;
		this.budget = budget;
		this.fhirContext = fhirContext;
		this.cdsPlanDefinition = cdsPlanDefinition;
		this.demoDyads = List.copyOf(demoDyads);
	}

	/** What is wrong with the candidate; empty when it may be published. */
	List<String> problems(KnowledgePackage published, KnowledgePackage candidate) {
		List<String> problems = new ArrayList<>();
		versionsPublishedOnce(candidate, problems);
		versionsNotChangedInPlace(published, candidate, problems);
		if (!problems.isEmpty()) {
			return problems;
		}
		KnowledgeSnapshot compiled;
		try {
			compiled = loader.compileCandidate(candidate);
		} catch (KnowledgeException e) {
			for (String line : e.getMessage().split("\n")) {
				problems.add(line.strip());
			}
			return problems;
		}
		canonicalsResolve(candidate, problems);
		if (candidate.resourcesOfType(PlanDefinition.class).stream()
				.noneMatch(plan -> plan.getIdElement().getIdPart().equals(cdsPlanDefinition))) {
			problems.add("PlanDefinition/" + cdsPlanDefinition + " (the rules of the CDS services) would no longer exist");
		}
		expressionsDefined(candidate, compiled, problems);
		if (problems.isEmpty()) {
			smokeEvaluation(compiled, affectedPlans(published, candidate, compiled), problems);
		}
		return problems;
	}

	/**
	 * The PlanDefinitions whose outcome the change can alter: new or changed plans, plans whose library or any library
	 * it includes (transitively) changed, and every plan when terminology or an ActivityDefinition changed. The others
	 * evaluate as they did when they were published.
	 */
	private List<PlanDefinition> affectedPlans(KnowledgePackage published, KnowledgePackage candidate, KnowledgeSnapshot compiled) {
		Map<String, Resource> before = new HashMap<>();
		published.resources().forEach(resource -> before.put(key(resource), resource));
		Set<String> changed = new HashSet<>();
		for (Resource resource : candidate.resources()) {
			Resource old = before.remove(key(resource));
			if (old == null || !content(old).equals(content(resource))) {
				changed.add(key(resource));
			}
		}
		changed.addAll(before.keySet()); // deleted
		boolean everything = changed.stream().anyMatch(key -> !key.startsWith("Library/") && !key.startsWith("PlanDefinition/"));
		Set<String> changedLibraries = new HashSet<>();
		published.cqlByLibrary().forEach((library, cql) -> {
			if (!cql.equals(candidate.cqlByLibrary().get(library))) {
				changedLibraries.add(library);
			}
		});
		candidate.cqlByLibrary().keySet().stream()
				.filter(library -> !published.cqlByLibrary().containsKey(library))
				.forEach(changedLibraries::add);
		Map<String, Library> libraries = new HashMap<>();
		candidate.resourcesOfType(Library.class).forEach(library -> libraries.put(library.getUrl() + "|" + library.getVersion(), library));
		Map<VersionedIdentifier, CompiledLibrary> cache = compiled.settings().getEvaluationSettings().getLibraryCache();
		List<PlanDefinition> affected = new ArrayList<>();
		for (PlanDefinition plan : candidate.resourcesOfType(PlanDefinition.class)) {
			Set<String> closure = new HashSet<>();
			plan.getLibrary().forEach(canonical -> {
				Library library = libraries.get(canonical.getValue());
				if (library != null) {
					includes(KnowledgePackage.key(library.getName(), library.getVersion()), cache, closure);
				}
			});
			closure.retainAll(changedLibraries);
			if (everything || changed.contains(key(plan)) || !closure.isEmpty()) {
				affected.add(plan);
			}
		}
		return affected;
	}

	private static void includes(String library, Map<VersionedIdentifier, CompiledLibrary> cache, Set<String> closure) {
		if (!closure.add(library)) {
			return;
		}
		cache.forEach((id, compiledLibrary) -> {
			if (KnowledgePackage.key(id.getId(), id.getVersion()).equals(library)
					&& compiledLibrary.getLibrary().getIncludes() != null) {
				compiledLibrary.getLibrary().getIncludes().getDef().forEach(include ->
						includes(KnowledgePackage.key(include.getPath(), include.getVersion()), cache, closure));
			}
		});
	}

	private static String key(Resource resource) {
		return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
	}

	private static void versionsPublishedOnce(KnowledgePackage candidate, List<String> problems) {
		Map<String, String> byVersion = new HashMap<>();
		for (Resource resource : candidate.resources()) {
			if (!(resource instanceof MetadataResource artifact) || !artifact.hasUrl()) {
				continue;
			}
			String reference = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
			List<String> keys = new ArrayList<>();
			keys.add(resource.fhirType() + " " + artifact.getUrl() + "|" + artifact.getVersion());
			if (resource instanceof Library library && library.hasName()) {
				keys.add("Library named " + library.getName() + "|" + library.getVersion());
			}
			for (String key : keys) {
				String other = byVersion.putIfAbsent(key, reference);
				if (other != null) {
					problems.add(key + " is already published as " + other + ", so " + reference
							+ " cannot carry it too: publish the change under a new version");
				}
			}
		}
	}

	/** A version once published means one content: an edit under the same version would change running rules silently. */
	private void versionsNotChangedInPlace(KnowledgePackage published, KnowledgePackage candidate, List<String> problems) {
		Map<String, Resource> before = new HashMap<>();
		published.resources().forEach(resource -> before.put(resource.fhirType() + "/" + resource.getIdElement().getIdPart(), resource));
		for (Resource resource : candidate.resources()) {
			Resource old = before.get(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
			if (old instanceof MetadataResource oldArtifact
					&& resource instanceof MetadataResource artifact
					&& java.util.Objects.equals(oldArtifact.getVersion(), artifact.getVersion())
					&& !content(old).equals(content(resource))) {
				problems.add(resource.fhirType() + "/" + resource.getIdElement().getIdPart() + " changes version "
						+ artifact.getVersion() + " in place: publish the change under a new version");
			}
		}
	}

	String content(Resource resource) {
		Resource copy = resource.copy();
		copy.setMeta(null);
		copy.setId((String) null);
		return fhirContext.newJsonParser().encodeResourceToString(copy);
	}

	private static void canonicalsResolve(KnowledgePackage candidate, List<String> problems) {
		Set<String> present = new HashSet<>();
		for (MetadataResource artifact : candidate.resourcesOfType(MetadataResource.class)) {
			present.add(artifact.getUrl());
			present.add(artifact.getUrl() + "|" + artifact.getVersion());
		}
		for (Resource resource : candidate.resources()) {
			String where = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
			for (String canonical : canonicalsOf(resource)) {
				if (canonical.startsWith(KnowledgeStoreReader.CANONICAL_BASE) && !present.contains(canonical)) {
					problems.add(where + " refers to " + canonical + ", which would not be published");
				}
			}
		}
	}

	private static List<String> canonicalsOf(Resource resource) {
		List<String> canonicals = new ArrayList<>();
		if (resource instanceof PlanDefinition plan) {
			plan.getLibrary().forEach(library -> canonicals.add(library.getValue()));
			collectDefinitions(plan.getAction(), canonicals);
		} else if (resource instanceof ActivityDefinition activity) {
			activity.getLibrary().forEach(library -> canonicals.add(library.getValue()));
		} else if (resource instanceof Library library) {
			for (RelatedArtifact artifact : library.getRelatedArtifact()) {
				if (artifact.getType() == RelatedArtifact.RelatedArtifactType.DEPENDSON && artifact.hasResource()) {
					canonicals.add(artifact.getResource());
				}
			}
			String cql = KnowledgePackage.cqlContent(library);
			if (cql != null) {
				Matcher terminology = CQL_TERMINOLOGY.matcher(cql);
				while (terminology.find()) {
					canonicals.add(terminology.group(1));
				}
			}
		} else if (resource instanceof ValueSet valueSet) {
			valueSet.getCompose().getInclude().forEach(include -> {
				if (include.hasSystem()) {
					canonicals.add(include.getSystem() + (include.hasVersion() ? "|" + include.getVersion() : ""));
				}
				include.getValueSet().forEach(nested -> canonicals.add(nested.getValue()));
			});
		}
		canonicals.removeIf(java.util.Objects::isNull);
		return canonicals;
	}

	private static void collectDefinitions(List<PlanDefinition.PlanDefinitionActionComponent> actions, List<String> canonicals) {
		for (PlanDefinition.PlanDefinitionActionComponent action : actions) {
			if (action.hasDefinitionCanonicalType()) {
				canonicals.add(action.getDefinitionCanonicalType().getValue());
			}
			collectDefinitions(action.getAction(), canonicals);
		}
	}

	/** Every text/cql-identifier a PlanDefinition's actions name must be a definition of its library. */
	private static void expressionsDefined(KnowledgePackage candidate, KnowledgeSnapshot compiled, List<String> problems) {
		Map<String, Library> libraries = new HashMap<>();
		for (Library library : candidate.resourcesOfType(Library.class)) {
			libraries.put(library.getUrl() + "|" + library.getVersion(), library);
		}
		Map<VersionedIdentifier, CompiledLibrary> cache = compiled.settings().getEvaluationSettings().getLibraryCache();
		for (PlanDefinition plan : candidate.resourcesOfType(PlanDefinition.class)) {
			if (plan.getLibrary().size() != 1) {
				continue;
			}
			Library library = libraries.get(plan.getLibrary().get(0).getValue());
			if (library == null) {
				continue; // reported as an unresolved canonical
			}
			Set<String> defined = new HashSet<>();
			cache.forEach((id, compiledLibrary) -> {
				if (id.getId().equals(library.getName()) && java.util.Objects.equals(id.getVersion(), library.getVersion())
						&& compiledLibrary.getLibrary().getStatements() != null) {
					compiledLibrary.getLibrary().getStatements().getDef().stream().map(ExpressionDef::getName).forEach(defined::add);
				}
			});
			Set<String> named = new HashSet<>();
			collectExpressions(plan.getAction(), named);
			for (String expression : named) {
				if (!defined.contains(expression)) {
					problems.add("PlanDefinition/" + plan.getIdElement().getIdPart() + " names \"" + expression
							+ "\", which library " + library.getName() + " " + library.getVersion() + " does not define");
				}
			}
		}
	}

	private static void collectExpressions(List<PlanDefinition.PlanDefinitionActionComponent> actions, Set<String> names) {
		for (PlanDefinition.PlanDefinitionActionComponent action : actions) {
			action.getCondition().forEach(condition -> addIdentifier(condition.getExpression(), names));
			action.getDynamicValue().forEach(value -> addIdentifier(value.getExpression(), names));
			collectExpressions(action.getAction(), names);
		}
	}

	private static void addIdentifier(Expression expression, Set<String> names) {
		if (expression != null && expression.hasExpression()
				&& ("text/cql-identifier".equals(expression.getLanguage()) || "text/cql.identifier".equals(expression.getLanguage()))) {
			names.add(expression.getExpression());
		}
	}

	/** Each PlanDefinition applied to every demo patient: an error or an evaluation past the budget refuses it. */
	private void smokeEvaluation(KnowledgeSnapshot compiled, List<PlanDefinition> plans, List<String> problems) {
		PlanDefinitionEvaluator evaluator =
				new PlanDefinitionEvaluator(compiled.content(), compiled.settings(), compiled.definitionsByLibrary());
		for (Bundle dyad : demoDyads) {
			Bundle data = new Bundle().setType(Bundle.BundleType.COLLECTION);
			dyad.getEntry().forEach(entry -> data.addEntry().setResource(entry.getResource()));
			Instant at = dyad.hasTimestamp() ? dyad.getTimestamp().toInstant() : Instant.now();
			for (Bundle.BundleEntryComponent entry : dyad.getEntry()) {
				if (!(entry.getResource() instanceof Patient patient)) {
					continue;
				}
				String subject = "Patient/" + patient.getIdElement().getIdPart();
				for (PlanDefinition plan : plans) {
					String canonical = plan.getUrl() + "|" + plan.getVersion();
					String what = "PlanDefinition/" + plan.getIdElement().getIdPart() + " on the demo patient " + subject;
					try {
						EvaluationResult result = budget.run(
								() -> evaluator.evaluate(new EvaluationRequest(canonical, subject, data, at, "patient-view", null)),
								budget.deadline());
						for (OperationOutcome outcome : result.issues()) {
							outcome.getIssue().stream()
									.filter(issue -> issue.getSeverity() != OperationOutcome.IssueSeverity.WARNING
											&& issue.getSeverity() != OperationOutcome.IssueSeverity.INFORMATION)
									.forEach(issue -> problems.add(what + ": " + issue.getDiagnostics()));
						}
					} catch (EvaluationBudget.OverBudgetException e) {
						problems.add(what + ": " + e.getMessage());
					} catch (RuntimeException e) {
						problems.add(what + " failed: " + e.getMessage());
					}
				}
			}
		}
	}
}
