package org.lactationcds.knowledge;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.io.support.ResourcePatternResolver;

/**
 * Reads the knowledge in the layout of a FHIR implementation guide: {@code input/**}{@code /*.json} are FHIR
 * resources (except the test cases under {@code input/tests}), {@code input/cql/*.cql} are CQL sources. Each CQL source is attached as {@code text/cql} content to the
 * Library resource of the same name, whose version must match the version declared in the CQL: a mismatch would let
 * an edited library run under the old version's canonical.
 *
 * <p>The location is a Spring resource location: {@code classpath:fhir-resources} for the knowledge packaged in the
 * jar, or {@code file:/path/to/fhir-resources} for an external copy.
 */
public final class KnowledgePackageReader {

	private static final Pattern LIBRARY_DECLARATION =
			Pattern.compile("^\\s*library\\s+\"?([A-Za-z0-9_]+)\"?\\s+version\\s+'([^']+)'", Pattern.MULTILINE);

	private final FhirContext fhirContext;
	private final ResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();

	public KnowledgePackageReader(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	public KnowledgePackage read(String location) {
		String base = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
		Map<String, String> cqlByName = readCql(base);
		List<Resource> resources = new ArrayList<>();
		for (org.springframework.core.io.Resource file : find(base + "/input/**/*.json")) {
			if (!isTestCase(file)) {
				resources.add(parse(file));
			}
		}
		if (resources.isEmpty()) {
			throw new KnowledgeException("No FHIR resources found under " + base + "/input");
		}
		attachCql(resources, cqlByName, base);
		resources.sort(Comparator.comparing(Resource::fhirType).thenComparing(r -> r.getIdElement().getIdPart()));
		Map<String, String> cqlByLibrary = new HashMap<>();
		for (Resource resource : resources) {
			if (resource instanceof Library library && cqlByName.containsKey(library.getName())) {
				cqlByLibrary.put(KnowledgePackage.key(library.getName(), library.getVersion()), cqlByName.get(library.getName()));
			}
		}
		return new KnowledgePackage(base, resources, cqlByLibrary);
	}

	private Map<String, String> readCql(String base) {
		Map<String, String> cqlByName = new HashMap<>();
		for (org.springframework.core.io.Resource file : find(base + "/input/cql/*.cql")) {
			String cql = text(file);
			Matcher declaration = LIBRARY_DECLARATION.matcher(cql);
			if (!declaration.find()) {
				throw new KnowledgeException(file.getFilename() + ": no 'library Name version 'x.y.z'' declaration");
			}
			cqlByName.put(declaration.group(1), cql);
		}
		return cqlByName;
	}

	private static void attachCql(List<Resource> resources, Map<String, String> cqlByName, String base) {
		Map<String, Library> librariesByName = new HashMap<>();
		for (Resource resource : resources) {
			if (resource instanceof Library library && cqlByName.containsKey(library.getName())) {
				librariesByName.put(library.getName(), library);
			}
		}
		for (Map.Entry<String, String> entry : cqlByName.entrySet()) {
			Library library = librariesByName.get(entry.getKey());
			if (library == null) {
				throw new KnowledgeException("CQL library " + entry.getKey() + " in " + base
						+ "/input/cql has no Library resource with name " + entry.getKey());
			}
			Matcher declaration = LIBRARY_DECLARATION.matcher(entry.getValue());
			declaration.find();
			if (!declaration.group(2).equals(library.getVersion())) {
				throw new KnowledgeException("CQL library " + entry.getKey() + " declares version " + declaration.group(2)
						+ " but Library/" + library.getIdElement().getIdPart() + " has version " + library.getVersion());
			}
			library.getContent().removeIf(content -> "text/cql".equals(content.getContentType()));
			library.addContent()
					.setContentType("text/cql")
					.setData(entry.getValue().getBytes(StandardCharsets.UTF_8));
		}
	}

	private Resource parse(org.springframework.core.io.Resource file) {
		try {
			IBaseResource parsed = fhirContext.newJsonParser().parseResource(text(file));
			return (Resource) parsed;
		} catch (DataFormatException e) {
			throw new KnowledgeException(file.getFilename() + " is not a valid FHIR R4 resource: " + e.getMessage(), e);
		}
	}

	/** The test cases under input/tests (scenario data and expected cards, as in an IG) are not knowledge. */
	private static boolean isTestCase(org.springframework.core.io.Resource file) {
		try {
			return file.getURL().toString().contains("/input/tests/");
		} catch (IOException e) {
			throw new KnowledgeException("Cannot locate " + file.getDescription(), e);
		}
	}

	private org.springframework.core.io.Resource[] find(String pattern) {
		try {
			return resolver.getResources(pattern);
		} catch (IOException e) {
			throw new KnowledgeException("Cannot list " + pattern, e);
		}
	}

	private static String text(org.springframework.core.io.Resource file) {
		try (InputStream in = file.getInputStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new KnowledgeException("Cannot read " + file.getDescription(), e);
		}
	}
}
