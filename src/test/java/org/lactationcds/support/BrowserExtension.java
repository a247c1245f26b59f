package org.lactationcds.support;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One headless Chromium per test class, given to test methods as a {@link Browser} parameter. When a test fails, what
 * the page showed is saved as {@code target/browser-screenshots/<class>-<method>.png}.
 */
public final class BrowserExtension implements ParameterResolver, TestWatcher, AfterAllCallback {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BrowserExtension.class);

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		return parameter.getParameter().getType() == Browser.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		return browser(context, true);
	}

	@Override
	public void testFailed(ExtensionContext context, Throwable cause) {
		Browser browser = browser(context, false);
		if (browser != null) {
			browser.screenshot(Path.of("target", "browser-screenshots",
					context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName() + ".png"));
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		Browser browser = context.getStore(NAMESPACE).remove(Browser.class, Browser.class);
		if (browser != null) {
			browser.close();
		}
	}

	private static Browser browser(ExtensionContext context, boolean create) {
		ExtensionContext.Store store = context.getRoot().equals(context) ? context.getStore(NAMESPACE)
				: classContext(context).getStore(NAMESPACE);
		return create ? store.getOrComputeIfAbsent(Browser.class, key -> Browser.start(), Browser.class)
				: store.get(Browser.class, Browser.class);
	}

	private static ExtensionContext classContext(ExtensionContext context) {
		ExtensionContext current = context;
		while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
			current = current.getParent().get();
		}
		return current;
	}
}
