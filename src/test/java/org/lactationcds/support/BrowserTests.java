package org.lactationcds.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The browser tests' own footing: the system Chromium starts headless, runs a page's script and shows its result. */
@ExtendWith(BrowserExtension.class)
class BrowserTests {

	@Test
	void systemChromiumRunsAPageScript(Browser browser) {
		String page = "<p id='out'>waiting</p><script>document.getElementById('out').textContent = 'ran ' + (6 * 7);</script>";
		browser.driver().get("data:text/html;charset=utf-8," + URLEncoder.encode(page, StandardCharsets.UTF_8).replace("+", "%20"));

		browser.await("the page script's output").until(ExpectedConditions.textToBe(By.id("out"), "ran 42"));
		assertThat(browser.driver().findElement(By.id("out")).getText()).isEqualTo("ran 42");
	}
}
