package org.lactationcds.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The system's headless Chromium, driven through the system chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them). Paths are given explicitly so Selenium never looks for, or
 * downloads, a browser or driver of its own. The flags keep Chromium off the network: this machine has none.
 */
public final class Browser implements AutoCloseable {

	static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("LACTATION_CDS_TEST_CHROMIUM", "/usr/bin/chromium"));
	static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("LACTATION_CDS_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));
	/** Page loads and waits, sized for a loaded 2-core machine. */
	public static final Duration WAIT = Duration.ofSeconds(60);

	private final ChromeDriver driver;
	private final Path profile;

	private Browser(ChromeDriver driver, Path profile) {
		this.driver = driver;
		this.profile = profile;
	}

	public static Browser start() {
		if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
			throw new IllegalStateException("browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", "
					+ CHROMEDRIVER + "); install them with: apt-get install -y chromium chromium-driver (.ci/run does)");
		}
		try {
			Path profile = Files.createTempDirectory("lactation-cds-chromium-");
			ChromeOptions options = new ChromeOptions();
			options.setBinary(CHROMIUM.toFile());
			options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
					"--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
					"--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
			ChromeDriverService service = new ChromeDriverService.Builder()
					.usingDriverExecutable(CHROMEDRIVER.toFile())
					.usingAnyFreePort()
					.withTimeout(WAIT)
					.build();
			ChromeDriver driver = new ChromeDriver(service, options);
			driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
			return new Browser(driver, profile);
		} catch (IOException e) {
			throw new IllegalStateException("could not create a Chromium profile directory", e);
		}
	}

	public WebDriver driver() {
		return driver;
	}

	/** A wait with the standard deadline; its failure message names what it waited for ({@code withMessage}). */
	public WebDriverWait await(String what) {
		WebDriverWait wait = new WebDriverWait(driver, WAIT);
		wait.withMessage("waited " + WAIT.toSeconds() + " s for " + what + " on " + driver.getCurrentUrl());
		return wait;
	}

	/** Saves what the page shows now as a PNG (for a failing test's report, or the README). */
	public Path screenshot(Path file) {
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
			return file;
		} catch (IOException e) {
			throw new IllegalStateException("could not write the screenshot " + file, e);
		}
	}

	@Override
	public void close() {
		try {
			driver.quit();
		} finally {
			try (var files = Files.walk(profile)) {
				files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
			} catch (IOException ignored) {
				// a temporary profile left behind is harmless
			}
		}
	}
}
