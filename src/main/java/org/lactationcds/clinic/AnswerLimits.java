package org.lactationcds.clinic;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.fhir.ucum.Decimal;
import org.fhir.ucum.UcumEssenceService;
import org.fhir.ucum.UcumException;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemAnswerComponent;
import org.hl7.fhir.r4.model.Type;

/**
 * The limits a Questionnaire item puts on its answers, read from the item's standard extensions: allowed units
 * ({@code questionnaire-unitOption}), {@code minValue}/{@code maxValue} for numbers and SDC
 * {@code minQuantity}/{@code maxQuantity} for quantities, compared after UCUM conversion to the limit's unit (a weight
 * limit written in g holds for an answer in lb). The numbers are the Questionnaire's; this class only compares.
 */
final class AnswerLimits {

	static final String UCUM = "http://unitsofmeasure.org";
	private static final String UNIT_OPTION = "http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption";
	private static final String MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue";
	private static final String MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue";
	private static final String MIN_QUANTITY = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-minQuantity";
	private static final String MAX_QUANTITY = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-maxQuantity";

	private static final UcumEssenceService UCUM_SERVICE = loadUcum();

	private AnswerLimits() {}

	/** What is wrong with the answer, in words a nurse understands; empty when it is within the item's limits. */
	static Optional<String> problem(QuestionnaireItemComponent item, QuestionnaireResponseItemAnswerComponent answer) {
		Type value = answer.getValue();
		String expected = expectedType(item);
		if (expected != null && (value == null || !expected.equals(value.fhirType()))) {
			return Optional.of("expects a " + expected + " answer, got " + (value == null ? "none" : value.fhirType()));
		}
		if (value instanceof Quantity quantity) {
			return quantityProblem(item, quantity);
		}
		if (value instanceof org.hl7.fhir.r4.model.IntegerType || value instanceof org.hl7.fhir.r4.model.DecimalType) {
			BigDecimal number = new BigDecimal(value.primitiveValue());
			for (Extension limit : item.getExtensionsByUrl(MIN_VALUE)) {
				BigDecimal min = new BigDecimal(limit.getValue().primitiveValue());
				if (number.compareTo(min) < 0) {
					return Optional.of(number.toPlainString() + " is below the lowest plausible value " + min.toPlainString());
				}
			}
			for (Extension limit : item.getExtensionsByUrl(MAX_VALUE)) {
				BigDecimal max = new BigDecimal(limit.getValue().primitiveValue());
				if (number.compareTo(max) > 0) {
					return Optional.of(number.toPlainString() + " is above the highest plausible value " + max.toPlainString());
				}
			}
		}
		return Optional.empty();
	}

	private static Optional<String> quantityProblem(QuestionnaireItemComponent item, Quantity quantity) {
		if (!quantity.hasValue()) {
			return Optional.of("has no number");
		}
		List<Coding> units = new ArrayList<>();
		item.getExtensionsByUrl(UNIT_OPTION).forEach(option -> units.add((Coding) option.getValue()));
		if (!units.isEmpty() && units.stream().noneMatch(unit ->
				unit.getSystem().equals(quantity.getSystem()) && unit.getCode().equals(quantity.getCode()))) {
			return Optional.of("unit '" + (quantity.hasCode() ? quantity.getCode() : quantity.getUnit())
					+ "' is not allowed here; allowed: " + String.join(", ", units.stream().map(Coding::getDisplay).toList()));
		}
		try {
			return quantityLimitProblem(item, quantity);
		} catch (IllegalArgumentException e) {
			return Optional.of("unit '" + quantity.getCode() + "' is not a UCUM unit comparable with this item's limits");
		}
	}

	private static Optional<String> quantityLimitProblem(QuestionnaireItemComponent item, Quantity quantity) {
		for (Extension limit : item.getExtensionsByUrl(MIN_QUANTITY)) {
			Quantity min = (Quantity) limit.getValue();
			if (in(quantity, min.getCode()).compareTo(min.getValue()) < 0) {
				return Optional.of(text(quantity) + " is below the lowest plausible value " + text(min));
			}
		}
		for (Extension limit : item.getExtensionsByUrl(MAX_QUANTITY)) {
			Quantity max = (Quantity) limit.getValue();
			if (in(quantity, max.getCode()).compareTo(max.getValue()) > 0) {
				return Optional.of(text(quantity) + " is above the highest plausible value " + text(max));
			}
		}
		return Optional.empty();
	}

	/** The FHIR type an answer to the item must have (R4 Questionnaire item type to answer value type). */
	private static String expectedType(QuestionnaireItemComponent item) {
		return switch (item.getType()) {
			case BOOLEAN -> "boolean";
			case INTEGER -> "integer";
			case DECIMAL -> "decimal";
			case DATE -> "date";
			case DATETIME -> "dateTime";
			case STRING, TEXT -> "string";
			case CHOICE -> "Coding";
			case QUANTITY -> "Quantity";
			case REFERENCE -> "Reference";
			default -> null;
		};
	}

	private static BigDecimal in(Quantity quantity, String unit) {
		if (!UCUM.equals(quantity.getSystem()) || !quantity.hasCode()) {
			throw new IllegalArgumentException("no UCUM unit");
		}
		if (unit.equals(quantity.getCode())) {
			return quantity.getValue();
		}
		if (KELVIN_OFFSET.containsKey(quantity.getCode()) && KELVIN_OFFSET.containsKey(unit)) {
			return fromKelvin(toKelvin(quantity.getValue(), quantity.getCode()), unit);
		}
		try {
			Decimal converted = UCUM_SERVICE.convert(new Decimal(quantity.getValue().toPlainString()), quantity.getCode(), unit);
			return new BigDecimal(converted.asDecimal());
		} catch (UcumException e) {
			throw new IllegalArgumentException("cannot convert " + quantity.getCode() + " to " + unit, e);
		}
	}

	// The UCUM library converts no unit with an offset from zero ("special units"); temperatures are the one kind a
	// form asks for, so they go through kelvin here: K = (value + offset) * factor.
	private static final java.util.Map<String, BigDecimal[]> KELVIN_OFFSET = java.util.Map.of(
			"K", new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ONE},
			"Cel", new BigDecimal[] {new BigDecimal("273.15"), BigDecimal.ONE},
			"[degF]", new BigDecimal[] {new BigDecimal("459.67"), new BigDecimal(5).divide(new BigDecimal(9), java.math.MathContext.DECIMAL64)});

	private static BigDecimal toKelvin(BigDecimal value, String unit) {
		BigDecimal[] offsetFactor = KELVIN_OFFSET.get(unit);
		return value.add(offsetFactor[0]).multiply(offsetFactor[1]);
	}

	private static BigDecimal fromKelvin(BigDecimal kelvin, String unit) {
		BigDecimal[] offsetFactor = KELVIN_OFFSET.get(unit);
		return kelvin.divide(offsetFactor[1], java.math.MathContext.DECIMAL64).subtract(offsetFactor[0]);
	}

	private static String text(Quantity quantity) {
		return quantity.getValue().stripTrailingZeros().toPlainString() + " " + (quantity.hasUnit() ? quantity.getUnit() : quantity.getCode());
	}

	private static UcumEssenceService loadUcum() {
		try (InputStream essence = UcumEssenceService.class.getResourceAsStream("/ucum-essence.xml")) {
			return new UcumEssenceService(essence);
		} catch (IOException | UcumException e) {
			throw new UncheckedIOException(new IOException("cannot load the UCUM definitions (ucum-essence.xml)", e));
		}
	}
}
