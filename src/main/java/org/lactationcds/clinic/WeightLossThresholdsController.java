package org.lactationcds.clinic;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.cqframework.cql.cql2elm.model.CompiledLibrary;
import org.hl7.elm.r1.Literal;
import org.hl7.elm.r1.ParameterDef;
import org.hl7.fhir.r4.model.Library;
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
 * chart lines: the defaults of the CQL parameters {@value #WARNING} and {@value #CRITICAL} of the red-flag
 * PlanDefinition's library, read from the compiled library the server evaluates. A threshold is written once, in the
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
		Library library = snapshot.knowledge().resourcesOfType(Library.class).stream()
				.filter(candidate -> canonical != null && canonical.equals(candidate.getUrl() + "|" + candidate.getVersion())
						|| canonical != null && canonical.equals(candidate.getUrl()))
				.findFirst()
				.orElseThrow(() -> unavailable("the library " + canonical + " is not in the knowledge"));
		CompiledLibrary compiled = snapshot.settings().getEvaluationSettings().getLibraryCache().entrySet().stream()
				.filter(entry -> entry.getKey().getId().equals(library.getName())
						&& java.util.Objects.equals(entry.getKey().getVersion(), library.getVersion()))
				.map(Map.Entry::getValue)
				.findFirst()
				.orElseThrow(() -> unavailable("the library " + library.getName() + " is not compiled"));
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("rule", "RF-INFANT-WEIGHT-LOSS");
		answer.put("library", library.getUrl() + "|" + library.getVersion());
		answer.put("warningPercent", integerDefault(compiled, WARNING));
		answer.put("criticalPercent", integerDefault(compiled, CRITICAL));
		return answer;
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
