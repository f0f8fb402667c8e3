package io.jenkins.plugins.openstackagents.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium, headless, driven through Debian's chromedriver: the browser an administrator uses, with its
 * console read after every page. A SEVERE console entry (a script error, a resource that failed to load) on any page
 * fails the test that opened it. Pictures for the README are written only when the build asks for them (system
 * property {@code screenshots.dir}: {@code mvn -Pbrowser-tests verify -Dscreenshots.dir=docs/images}).
 */
public final class Browser implements AutoCloseable {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private final ChromeDriver driver;
    /** SEVERE console entries, by the page (path) they were seen on. */
    private final Map<String, List<String>> severe = new LinkedHashMap<>();
    /** How many unexpected SEVERE entries each page opened had: 0 for a clean one. */
    private final Map<String, Integer> severeCounts = new LinkedHashMap<>();

    public Browser() {
        for (String f : new String[] {CHROMIUM, CHROMEDRIVER}) {
            if (!new File(f).canExecute()) {
                throw new IllegalStateException(f + " is missing: apt-get install chromium chromium-driver"
                        + " (.ci/run installs both)");
            }
        }
        // Selenium looks for a DevTools binding of this chromium's version; the tests use none
        Logger.getLogger("org.openqa.selenium.devtools").setLevel(Level.SEVERE);
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        // as the machine notes have it: no sandbox as root, and no background connections to hosts outside
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1600", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    public WebDriver driver() {
        return driver;
    }

    /** Opens a page and waits until its scripts have run (Hudson wires its forms on load). */
    public void open(String url) {
        readConsole();
        driver.get(url);
        readConsole();
    }

    /** Reads the console entries since the last read, recording the SEVERE ones against the current page. */
    public List<String> readConsole() {
        String page = page();
        List<String> found = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            System.out.println("console " + e.getLevel() + " on " + page + ": " + e.getMessage());
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                found.add(e.getMessage());
            }
        }
        if (page != null) {
            severe.computeIfAbsent(page, p -> new ArrayList<>()).addAll(found);
            severeCounts.merge(page, found.size(), Integer::sum);
        }
        return found;
    }

    private String page() {
        String url = driver.getCurrentUrl();
        if (url == null || !url.startsWith("http")) {
            return null;
        }
        String path = url.replaceFirst("^https?://[^/]+", "").replaceFirst("[?#].*$", "");
        return path.isEmpty() ? "/" : path;
    }

    /**
     * Takes back one SEVERE entry that the test expects, and fails if it is not there. The one use: Hudson answers a
     * refused Save with its error page and HTTP 400, which chromium logs as a failed resource.
     */
    public void expectSevere(String page, String containing) {
        readConsole();
        List<String> entries = severe.getOrDefault(page, new ArrayList<>());
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).contains(containing)) {
                entries.remove(i);
                severeCounts.merge(page, -1, Integer::sum);
                return;
            }
        }
        throw new AssertionError("expected a console entry containing '" + containing + "' on " + page + ", saw "
                + entries);
    }

    /** Fails if any page opened so far had a SEVERE console entry. */
    public void assertConsoleClean() {
        readConsole();
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<String>> e : severe.entrySet()) {
            for (String m : e.getValue()) {
                sb.append("\n  ").append(e.getKey()).append(": ").append(m);
            }
        }
        if (sb.length() > 0) {
            throw new AssertionError("SEVERE entries in the browser's console:" + sb);
        }
    }

    /** Unexpected SEVERE console entries per page opened, for the record (0 for a clean page). */
    public Map<String, Integer> severeCounts() {
        readConsole();
        return new LinkedHashMap<>(severeCounts);
    }

    public WebElement find(By by) {
        return driver.findElement(by);
    }

    public <T> T await(String what, Function<WebDriver, T> condition) {
        return await(what, Duration.ofSeconds(30), condition);
    }

    /** {@link #await(String, Function)} for at most the given time. */
    public <T> T await(String what, Duration atMost, Function<WebDriver, T> condition) {
        // Hudson's scripts replace options and rows as answers arrive: an element seen a moment ago may be gone
        return new WebDriverWait(driver, atMost).withMessage(what)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
    }

    /** Runs a script in the page (to paste text a person would not type key by key). */
    public Object script(String js, Object... args) {
        return driver.executeScript(js, args);
    }

    /** Clicks as a person does: scrolled into view first, then a real click. */
    public void click(WebElement e) {
        driver.executeScript("arguments[0].scrollIntoView({block: 'center'});", e);
        e.click();
    }

    /**
     * Writes a picture of the element (or of the window, for null) to the README's images, if this run was asked
     * to ({@code -Dscreenshots.dir=docs/images}); does nothing otherwise.
     */
    public void picture(String name, WebElement element) throws IOException {
        String dir = System.getProperty("screenshots.dir", "");
        if (dir.isEmpty()) {
            return;
        }
        File shot;
        if (element == null) {
            shot = driver.getScreenshotAs(OutputType.FILE);
        } else {
            // an element is pictured as far as the window shows it: the window as tall as the page, for the picture
            org.openqa.selenium.Dimension window = driver.manage().window().getSize();
            long page = ((Number) driver.executeScript("return document.documentElement.scrollHeight;")).longValue();
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(window.getWidth(),
                    (int) Math.min(page + 200, 10_000)));
            try {
                shot = element.getScreenshotAs(OutputType.FILE);
            } finally {
                driver.manage().window().setSize(window);
            }
        }
        Path target = Paths.get(dir, name + ".png");
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("picture written: " + target);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
