package io.seckill.pages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the browser tests: the application on a random port (as every
 * {@link IntegrationTest}) driven through its pages by Playwright in Debian's headless
 * Chromium. One browser serves all test classes of the run; each test gets a fresh
 * context (no cookies, no storage). Screenshots go to target/screenshots/.
 */
abstract class BrowserTest extends IntegrationTest {

	/** Debian's chromium package; Playwright downloads no browser of its own. */
	static final Path CHROMIUM = Paths.get(System.getProperty("seckill.chromium", "/usr/bin/chromium"));

	static final Path SCREENSHOTS = Paths.get("target", "screenshots");

	/** Flags that keep Chromium off the network and quiet in a container. */
	private static final List<String> CHROMIUM_ARGS = List.of("--no-sandbox", "--disable-gpu",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
			"--headless");

	private static Playwright playwright;

	private static Browser browser;

	protected BrowserContext context;

	protected Page page;

	private final List<String> pageErrors = new ArrayList<>();

	/** On a failure, a screenshot of the page as it was, before the context closes. */
	@RegisterExtension
	final AfterTestExecutionCallback screenshotOnFailure = (extension) -> {
		if (extension.getExecutionException().isPresent() && this.page != null && !this.page.isClosed()) {
			screenshot("FAILED-" + extension.getRequiredTestMethod().getName());
		}
	};

	@BeforeAll
	static synchronized void launchBrowser() {
		assertThat(Files.isExecutable(CHROMIUM))
			.as("Chromium not found at %s. The browser tests need Debian's chromium package: "
					+ "run `apt-get install -y chromium` (.ci/run installs it), or point -Dseckill.chromium=... "
					+ "at another Chromium.", CHROMIUM)
			.isTrue();
		if (browser == null) {
			playwright = Playwright
				.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
			browser = playwright.chromium()
				.launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM)
					.setHeadless(true)
					.setArgs(CHROMIUM_ARGS));
			Runtime.getRuntime().addShutdownHook(new Thread(playwright::close, "playwright-close"));
			// The machine is shared and small: give conditions time rather than failing
			// early.
			PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
		}
	}

	@BeforeEach
	void openContext() {
		useContext(contextOptions());
	}

	/** Replaces the test's browser context, e.g. for another screen size or language. */
	protected void useContext(Browser.NewContextOptions options) {
		if (this.context != null) {
			this.context.close();
		}
		this.context = browser.newContext(options);
		this.context.setDefaultTimeout(15_000);
		this.page = this.context.newPage();
		this.page.onPageError((error) -> this.pageErrors.add(error));
	}

	/** A desktop screen in English; tests override for phones or other languages. */
	protected Browser.NewContextOptions contextOptions() {
		return new Browser.NewContextOptions().setViewportSize(1280, 900)
			.setLocale("en-US")
			.setTimezoneId("Asia/Shanghai");
	}

	@AfterEach
	void closeContext() {
		if (this.context != null) {
			this.context.close();
		}
		assertThat(this.pageErrors).as("uncaught errors in the page's scripts").isEmpty();
	}

	protected String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	protected void open(String path) {
		this.page.navigate(url(path));
	}

	/** A full-page screenshot as target/screenshots/{name}.png. */
	protected void screenshot(String name) {
		this.page
			.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
	}

	/** A screenshot of one element as target/screenshots/{name}.png. */
	protected void screenshot(String name, Locator element) {
		element.screenshot(new Locator.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")));
	}

	/** True when the page is no wider than the viewport (no sideways scrolling). */
	protected boolean fitsTheViewport() {
		return (Boolean) this.page
			.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth");
	}

}
