package org.lactationcds.clinic;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.cqframework.cql.cql2elm.model.CompiledLibrary;
import org.hl7.elm.r1.VersionedIdentifier;
import org.hl7.elm.r1.IncludeDef;
import org.hl7.elm.r1.Library;
import org.hl7.elm.r1.Literal;
import org.hl7.elm.r1.ParameterDef;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.lactationcds.cds.CdsProperties;
import org.lactationcds.knowledge.KnowledgeLoader;
import org.lactationcds.knowledge.KnowledgeSnapshot;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The weight-loss thresholds of rule RF-INFANT-WEIGHT-LOSS as the running knowledge has them, for the dyad view's
 * chart lines: the defaults of the CQL parameters {@value #WARNING} and {@value #CRITICAL} of the library the red-flag
 * PlanDefinition's library includes for them (the configuration library), read from the compiled libraries the server
 * evaluates. A threshold is written once, in the
 * CQL; a knowledge update that changes it moves the lines with the cards.
 */
@RestController
class WeightLossThresholdsController {

	static final String PATH = "/app/api/weight-loss-thresholds";
	static final String WARNING = "Weight Loss Warning Percent";
	static final String CRITICAL = "Weight Loss Critical Percent";

	private final KnowledgeLoader knowledge;
	private final CdsProperties cds;

	WeightLossThresholdsController(KnowledgeLoader knowledge, CdsProperties cds) {
		this.knowledge = knowledge;
		this.cds = cds;
	}

	@GetMapping(path = PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> thresholds() {
		KnowledgeSnapshot snapshot = knowledge.current();
		PlanDefinition plan = snapshot.planDefinition(cds.planDefinition())
				.orElseThrow(() -> unavailable("no PlanDefinition " + cds.planDefinition() + " in the knowledge"));
		String canonical = plan.getLibrary().isEmpty() ? null : plan.getLibrary().get(0).getValue();
		org.hl7.fhir.r4.model.Library library = snapshot.knowledge().resourcesOfType(org.hl7.fhir.r4.model.Library.class).stream()
				.filter(candidate -> canonical != null && canonical.equals(candidate.getUrl() + "|" + candidate.getVersion())
						|| canonical != null && canonical.equals(candidate.getUrl()))
				.findFirst()
				.orElseThrow(() -> unavailable("the library " + canonical + " is not in the knowledge"));
		Map<VersionedIdentifier, CompiledLibrary> cache = snapshot.settings().getEvaluationSettings().getLibraryCache();
		VersionedIdentifier entry = new VersionedIdentifier().withId(library.getName()).withVersion(library.getVersion());
		if (compiled(cache, entry) == null) {
			throw unavailable("the library " + library.getName() + " is not compiled");
		}
		CompiledLibrary declaring = declaring(cache, entry, WARNING, new HashSet<>());
		if (declaring == null) {
			throw unavailable("no library used by " + library.getName() + " declares the parameter \"" + WARNING + "\"");
		}
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("rule", "RF-INFANT-WEIGHT-LOSS");
		answer.put("library", snapshot.knowledge().resourcesOfType(org.hl7.fhir.r4.model.Library.class).stream()
				.filter(candidate -> candidate.getName().equals(declaring.getIdentifier().getId())
						&& Objects.equals(candidate.getVersion(), declaring.getIdentifier().getVersion()))
				.map(candidate -> candidate.getUrl() + "|" + candidate.getVersion())
				.findFirst()
				.orElse(declaring.getIdentifier().getId() + "|" + declaring.getIdentifier().getVersion()));
		answer.put("warningPercent", integerDefault(declaring, WARNING));
		answer.put("criticalPercent", integerDefault(declaring, CRITICAL));
		return answer;
	}

	/**
	 * The library that declares {@code parameter}: the plan's library or one it includes, directly or not (the
	 * thresholds live in the configuration library the rule libraries include).
	 */
	private static CompiledLibrary declaring(Map<VersionedIdentifier, CompiledLibrary> cache, VersionedIdentifier id,
			String parameter, Set<String> visited) {
		CompiledLibrary library = compiled(cache, id);
		if (library == null || !visited.add(id.getId() + "|" + id.getVersion())) {
			return null;
		}
		Library elm = library.getLibrary();
		if (elm.getParameters() != null && elm.getParameters().getDef().stream().anyMatch(def -> def.getName().equals(parameter))) {
			return library;
		}
		if (elm.getIncludes() == null) {
			return null;
		}
		for (IncludeDef include : elm.getIncludes().getDef()) {
			CompiledLibrary found = declaring(cache,
					new VersionedIdentifier().withId(include.getPath()).withVersion(include.getVersion()), parameter, visited);
			if (found != null) {
				return found;
			}
		}
		return null;
	}

	private static CompiledLibrary compiled(Map<VersionedIdentifier, CompiledLibrary> cache, VersionedIdentifier id) {
		return cache.entrySet().stream()
				.filter(entry -> entry.getKey().getId().equals(id.getId())
						&& Objects.equals(entry.getKey().getVersion(), id.getVersion()))
				.map(Map.Entry::getValue)
				.findFirst()
				.orElse(null);
	}

	private static int integerDefault(CompiledLibrary compiled, String name) {
		Optional<ParameterDef> parameter = compiled.getLibrary().getParameters() == null ? Optional.empty()
				: compiled.getLibrary().getParameters().getDef().stream().filter(def -> def.getName().equals(name)).findFirst();
		if (parameter.isEmpty() || !(parameter.get().getDefault() instanceof Literal literal)) {
			throw unavailable("the library has no parameter \"" + name + "\" with a literal default");
		}
		try {
			return Integer.parseInt(literal.getValue());
		} catch (NumberFormatException e) {
			throw unavailable("the default of \"" + name + "\" is not an integer: " + literal.getValue());
		}
	}

	private static ResponseStatusException unavailable(String why) {
		return new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, why);
	}
}
