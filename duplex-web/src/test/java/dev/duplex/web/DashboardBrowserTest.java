package dev.duplex.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.gateway.simulator.DeviceFleet;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.opentest4j.AssertionFailedError;

/**
 * The dashboard end to end, in the system Chromium (headless) driven by its chromedriver, against
 * what {@code ./duplex serve} runs ({@link DashboardNode}): the page loads cleanly, charts fill from
 * history and then live, a device command round-trips, the inspector follows the connection through
 * a drop and its recovery (no duplicates, no gaps), the frame log shows real frames, two windows see
 * each other in presence, and the layout holds at phone width.
 *
 * <p>Chromium and chromedriver are needed (the test fails, never skips, without them):
 * {@code chromium} and {@code chromedriver} from the PATH unless the system properties
 * {@value #CHROMIUM_PROPERTY} / {@value #DRIVER_PROPERTY} name others. Selenium Manager never runs:
 * both paths are given. With {@code -Dduplex.screenshots=true} the test also writes
 * {@code docs/screenshots/*.png} for the README and docs/dashboard.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    static final String CHROMIUM_PROPERTY = "duplex.web.chromium";
    static final String DRIVER_PROPERTY = "duplex.web.chromedriver";
    static final String MISSING_CHROMIUM = "Chromium and its driver are needed to test the dashboard: install chromium and "
            + "chromium-driver: ./test-all does";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration SENSOR_INTERVAL = Duration.ofMillis(200);

    private static DashboardNode node;
    private static ChromeDriverService service;
    private static ChromeDriver driver;
    private static String mainWindow;
    /** Every console message of the run (the driver hands each out once). */
    private static final List<LogEntry> console = new ArrayList<>();
    /** Quiet: "Unable to find CDP implementation" (no devtools jar here; the tests need none). */
    private static final Logger DEVTOOLS_LOG = Logger.getLogger("org.openqa.selenium.devtools");

    @BeforeAll
    static void startHubAndBrowser() throws Exception {
        DEVTOOLS_LOG.setLevel(Level.SEVERE);
        Path chromium = requireExecutable(CHROMIUM_PROPERTY, "chromium");
        Path chromedriver = requireExecutable(DRIVER_PROPERTY, "chromedriver");
        node = DashboardNode.start(SENSOR_INTERVAL);
        // History for the charts to start from: a few readings before the page opens.
        CountDownLatch readings = new CountDownLatch(5);
        try (AutoCloseable listening = node.server().hub().listen(DeviceFleet.sensorChannel("room-1"), p -> readings.countDown())) {
            assertThat(readings.await(10, TimeUnit.SECONDS)).as("the simulated sensors publish").isTrue();
        }
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--hide-scrollbars", "--lang=en-US");
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            node.close();
            throw e;
        }
        mainWindow = driver.getWindowHandle();
        driver.get(node.url());
        awaitReady(driver);
    }

    @AfterAll
    static void stopAll() {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            try {
                if (service != null) {
                    service.stop();
                }
            } finally {
                if (node != null) {
                    node.close();
                }
            }
        }
    }

    @Test
    @Order(1)
    void pageLoadsWithoutConsoleErrorsOrFailedRequests() {
        await("the connection to open", d -> "open".equals(attr("#inspector", "data-state")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> resources = (List<Map<String, Object>>) js(
                "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
                        + ".map(e => ({name: e.name, status: e.responseStatus}))");
        assertThat(resources).extracting(r -> String.valueOf(r.get("name")))
                .anyMatch(n -> n.endsWith("/dashboard.js"))
                .anyMatch(n -> n.endsWith("/duplex.js"))
                .anyMatch(n -> n.endsWith("/vendor/uplot/uPlot.esm.js"))
                .anyMatch(n -> n.endsWith("/vendor/uplot/uPlot.min.css"))
                .anyMatch(n -> n.endsWith("/dashboard.css"));
        assertThat(resources).as("requests that failed").allSatisfy(r ->
                assertThat(((Number) r.get("status")).intValue()).as(String.valueOf(r.get("name"))).isBetween(200, 399));
        assertThat(driver.getTitle()).isEqualTo("Duplex dashboard");
        assertThat(driver.findElement(By.id("notice")).isDisplayed()).as("an error notice: " + text("#notice")).isFalse();
        assertNoConsoleProblems();
    }

    @Test
    @Order(2)
    void chartsFillFromHistoryThenGrowLive() {
        await("live sensor readings", d -> intAttr("#sensors", "data-live") >= 6);
        for (String metric : List.of("temperature", "humidity", "co2")) {
            await(metric + " chart points", d -> intAttr("#chart-" + metric, "data-points") > 0);
            assertThat(driver.findElements(By.cssSelector("#chart-" + metric + " canvas"))).as(metric + " canvas").hasSize(1);
        }
        // Points the page did not receive live came from the channel's history.
        @SuppressWarnings("unchecked")
        Map<String, Object> seen = (Map<String, Object>) js("return {points: +document.querySelector('#chart-temperature')"
                + ".dataset.points, live: +document.querySelector('#sensors').dataset.live}");
        int points = ((Number) seen.get("points")).intValue();
        int live = ((Number) seen.get("live")).intValue();
        assertThat(points).as("temperature points vs. live readings of 3 rooms: " + seen).isGreaterThan(live / 3 + 2);
        await("the chart to grow live", d -> intAttr("#chart-temperature", "data-points") > points);
        assertThat(text("#now-rows tr[data-room='room-2'] td")).matches("\\d+\\.\\d{2} °C");
        assertThat(intAttr("#sensors", "data-duplicates")).isZero();
        assertThat(intAttr("#sensors", "data-gaps")).isZero();
    }

    @Test
    @Order(3)
    void serverSectionShowsHubStats() {
        await("hub stats", d -> !attr("#stats", "data-connections").isEmpty() && !text("#stat-in").equals("–"));
        // This page's two connections (the client and the tracer), at least.
        await("both connections counted", d -> Integer.parseInt(attr("#stats", "data-connections")) >= 2);
        assertThat(text("#stat-channels")).matches("\\d+");
        assertThat(text("#stat-out")).matches("\\d+\\.\\d");
        assertThat(text("#stat-queued")).matches("[\\d,]+");
        await("the rates chart", d -> intAttr("#chart-rates", "data-points") > 0);
    }

    @Test
    @Order(4)
    void serverSectionListsThisNodeWithItsConnections() {
        // The in-memory broker: the cluster is this node, and its connections are this page's two.
        String self = node.server().hub().nodeId();
        String row = "#nodes-rows tr[data-node='" + self + "']";
        await("this node with 2 connections and the hub's subscriptions in the nodes table",
                d -> "2".equals(attr(row, "data-connections")) && text(row + " td.subscriptions").equals(
                        String.valueOf(node.server().hub().channels().values().stream().mapToInt(Integer::intValue).sum())));
        assertThat(node.server().hub().connectionCount()).as("the hub's connections").isEqualTo(2);
        assertThat(((Number) js("return document.querySelectorAll('#nodes-rows tr').length")).intValue()).isEqualTo(1);
        assertThat(attr(row, "data-self")).isEqualTo("true");
        assertThat(attr(row, "data-alive")).isEqualTo("true");
        assertThat(attr(row, "class")).isEmpty();
        assertThat(text(row + " th")).isEqualTo(self + " this node");
        assertThat(text(row + " td.state")).isEqualTo("alive");
        assertThat(text(row + " td.connections")).isEqualTo("2");
        int subscriptions = node.server().hub().channels().values().stream().mapToInt(Integer::intValue).sum();
        assertThat(text(row + " td.subscriptions")).isEqualTo(String.valueOf(subscriptions));
        assertThat(text(row + " td.uptimeSeconds")).matches("\\d+ s|\\d+ min \\d+ s");
        assertThat(attr("#nodes", "data-alive")).isEqualTo("1");
        assertThat(attr("#nodes", "data-gone")).isEqualTo("0");
        assertThat(text("#nodes-summary")).isEqualTo(
                "1 node alive, 0 gone; a node that stops reporting is listed as gone, then forgotten.");
    }

    @Test
    @Order(5)
    void setpointAndRelayCommandsRoundTripToTheDevice() {
        // Every status the command line shows, in order.
        js("window.__statuses = []; new MutationObserver(() => window.__statuses.push("
                + "document.querySelector('#command-status').dataset.status)).observe("
                + "document.querySelector('#command-status'), {attributes: true, attributeFilter: ['data-status']});");
        WebElement input = driver.findElement(By.id("setpoint-input"));
        type(input, "23.5");
        driver.findElement(By.id("setpoint-send")).click();
        await("the set-point's ack", d -> "applied".equals(attr("#command-status", "data-status")));
        assertThat(text("#command-status")).isEqualTo("Set-point 23.5 °C: applied");
        assertThat(attr("#command-status", "data-command")).startsWith("dash-");
        assertThat(js("return window.__statuses")).asList().containsSubsequence("pending", "applied");
        assertThat(attr("#thermostat", "data-setpoint")).isEqualTo("23.5");
        assertThat(text("#dev-setpoint")).isEqualTo("23.5 °C");

        String first = attr("#command-status", "data-command");
        type(input, "99");
        driver.findElement(By.id("setpoint-send")).click();
        await("the device's refusal", d -> "refused".equals(attr("#command-status", "data-status")));
        assertThat(attr("#command-status", "data-command")).isNotEqualTo(first);
        assertThat(text("#command-status")).startsWith("Set-point 99 °C: refused: The set-point must be a number from 5.0 to 30.0");
        assertThat(attr("#thermostat", "data-setpoint")).isEqualTo("23.5");

        boolean relayBefore = Boolean.parseBoolean(attr("#thermostat", "data-relay"));
        driver.findElement(By.id("relay-switch")).click();
        await("the relay's ack", d -> "applied".equals(attr("#command-status", "data-status")));
        assertThat(text("#command-status")).isEqualTo("Relay " + (relayBefore ? "off" : "on") + ": applied");
        assertThat(attr("#thermostat", "data-relay")).isEqualTo(String.valueOf(!relayBefore));
        assertThat(driver.findElement(By.id("relay-switch")).isSelected()).isEqualTo(!relayBefore);
        assertThat(driver.findElement(By.id("relay-switch")).isEnabled()).isTrue();
    }

    @Test
    @Order(6)
    void inspectorShowsOpenWithItsClientAndRtt() {
        await("OPEN", d -> "open".equals(attr("#inspector", "data-state")));
        assertThat(attr("#inspector", "data-history")).startsWith("CONNECTING,OPEN");
        assertThat(attr("#node-open", "class")).contains("active");
        assertThat(attr("#node-closed", "class")).doesNotContain("active");
        assertThat(text("#conn-state")).isEqualTo("OPEN");
        String client = attr("#inspector", "data-client");
        assertThat(client).isNotEmpty().isEqualTo(text("#conn-client"));
        assertThat(text("#status")).isEqualTo("Live · " + client);
        await("an RTT", d -> !attr("#conn-rtt", "data-rtt").isEmpty());
        assertThat(text("#conn-rtt")).matches("\\d+ ms");
        assertThat(text("#conn-heartbeat")).isEqualTo("25.0 s");
    }

    @Test
    @Order(7)
    void frameLogShowsRealFramesOfThisConnection() {
        String client = attr("#inspector", "data-client");
        await("traced frames", d -> intAttr("#frame-log", "data-frames") >= 5);
        await("the trace note", d -> client.equals(attr("#frame-log", "data-tracing")));
        driver.findElement(By.id("ping")).click(); // a command from the page: {"type":"ping",…}
        await("the pong", d -> text("#drop-status").matches("Pong after \\d+ ms\\."));
        // The page's own commands reach the hub masked; the hub's messages are not.
        WebElement in = awaitElement("a frame from the page",
                "#frame-rows tr[data-dir='in'][data-opcode='text'][data-client='" + client + "']");
        assertThat(in.getDomAttribute("data-masked")).isEqualTo("true");
        WebElement out = awaitElement("a frame from the hub",
                "#frame-rows tr[data-dir='out'][data-opcode='text'][data-client='" + client + "']");
        assertThat(out.getDomAttribute("data-masked")).isEqualTo("false");
        List<String> cells = out.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
        // time, dir, FIN, RSV1, RSV2, RSV3, opcode, MASK, length, close
        assertThat(cells).hasSize(10);
        assertThat(cells.get(0)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}");
        assertThat(cells.subList(1, 8)).containsExactly("out ←", "1", "0", "0", "0", "text", "0");
        assertThat(Integer.parseInt(cells.get(8))).isPositive();
        assertThat(driver.findElements(By.cssSelector("#frame-rows tr:not(.note)")).size()).isLessThanOrEqualTo(200);
    }

    @Test
    @Order(8)
    void dropConnectionGoesClosedConnectingOpenAndRecoversWithoutDuplicatesOrGaps() {
        setBackoff(800, 800);
        assertThat(attr("#inspector", "data-backoff")).isEqualTo("800-800");
        for (int drop = 1; ; drop++) {
            String before = attr("#inspector", "data-client");
            int reconnects = intAttr("#inspector", "data-reconnects");
            int recovered = intAttr("#sensors", "data-recovered");
            driver.findElement(By.id("drop")).click();
            await("reconnected after drop " + drop, d -> intAttr("#inspector", "data-reconnects") == reconnects + 1
                    && "open".equals(attr("#inspector", "data-state")));
            String after = attr("#inspector", "data-history");
            assertThat(after).as("the states after the drop")
                    .endsWith(",OPEN,CLOSED,CONNECTING,OPEN");
            assertThat(intAttr("#inspector", "data-next-retry")).as("the back-off drawn").isBetween(0, 800);
            String now = attr("#inspector", "data-client");
            assertThat(now).as("a new connection").isNotEqualTo(before);
            assertThat(text("#conn-close")).isEqualTo("1006 connection dropped");

            // The old connection's close, then frames of the new one: the trace follows the page.
            WebElement close = awaitElement("the dropped connection's Close frame",
                    "#frame-rows tr[data-opcode='close'][data-dir='in'][data-client='" + before + "']");
            assertThat(close.getDomAttribute("data-code")).isEqualTo("4000");
            assertThat(close.getDomAttribute("data-masked")).isEqualTo("true");
            awaitElement("frames of the new connection", "#frame-rows tr[data-client='" + now + "']");

            int live = intAttr("#sensors", "data-live");
            await("live readings after the reconnect", d -> intAttr("#sensors", "data-live") >= live + 6);
            assertThat(intAttr("#sensors", "data-duplicates")).as("duplicates").isZero();
            assertThat(intAttr("#sensors", "data-gaps")).as("gaps").isZero();
            assertThat(intAttr("#sensors", "data-unrecoverable")).as("unrecoverable").isZero();
            if (intAttr("#sensors", "data-recovered") > recovered) {
                break; // readings published while the page was away came back from history, once each
            }
            assertThat(drop).as("drops without a reading missed (a reconnect faster than the sensors)").isLessThan(4);
        }
        setBackoff(500, 20_000);
    }

    @Test
    @Order(9)
    void twoWindowsSeeEachOtherInPresence() {
        String first = attr("#inspector", "data-client");
        await("this page in presence", d -> presence().contains(first));
        assertThat(attr("#presence-list li[data-you='true']", "data-client")).isEqualTo(first);
        WebDriver second = driver.switchTo().newWindow(WindowType.WINDOW);
        String secondWindow = driver.getWindowHandle();
        try {
            second.get(node.url());
            awaitReady(driver);
            await("the second window open", d -> "open".equals(attr("#inspector", "data-state")));
            String other = attr("#inspector", "data-client");
            assertThat(other).isNotEqualTo(first);
            await("both in the second window", d -> presence().containsAll(List.of(first, other)));
            assertThat(attr("#presence-list li[data-you='true']", "data-client")).isEqualTo(other);
            assertThat(text("#presence-summary")).contains("you and");
            collectConsole();

            driver.switchTo().window(mainWindow);
            await("the second window in the first", d -> presence().contains(other));
            assertThat(attr("#presence-list li[data-you='true']", "data-client")).isEqualTo(first);

            driver.switchTo().window(secondWindow);
            driver.close();
            driver.switchTo().window(mainWindow);
            await("the second window to leave", d -> !presence().contains(other));
            assertThat(presence()).contains(first);
        } finally {
            if (driver.getWindowHandles().contains(secondWindow)) {
                driver.switchTo().window(secondWindow);
                driver.close();
            }
            driver.switchTo().window(mainWindow);
        }
    }

    @Test
    @Order(10)
    void layoutHoldsAtPhoneWidthAndDesktop() throws IOException {
        Path dir = Boolean.getBoolean("duplex.screenshots") ? screenshotDir() : null;
        if (dir != null) {
            stageForScreenshots();
        }
        try {
            assertThat(((Number) js("return document.documentElement.scrollWidth")).intValue())
                    .as("no horizontal scroll at 1280 px").isLessThanOrEqualTo(1280);
            if (dir != null) {
                screenshot(dir.resolve("dashboard-desktop.png"), null);
                screenshot(dir.resolve("inspector-desktop.png"), "#inspector");
            }
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", 375, "height", 812, "deviceScaleFactor", 2, "mobile", true));
            await("the page at 375 px", d -> ((Number) js("return window.innerWidth")).intValue() == 375);
            // Charts follow their container's width.
            await("charts resized", d -> ((Number) js("return document.querySelector('#chart-temperature canvas')"
                    + ".getBoundingClientRect().right")).doubleValue() <= 375);
            assertThat(((Number) js("return document.documentElement.scrollWidth")).intValue())
                    .as("no horizontal scroll at 375 px").isLessThanOrEqualTo(375);
            for (String section : List.of("sensors", "devices", "presence", "server", "inspector")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> box = (Map<String, Object>) js("const r = document.getElementById(arguments[0])"
                        + ".getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width}", section);
                assertThat(((Number) box.get("left")).doubleValue()).as(section + " left").isGreaterThanOrEqualTo(0);
                assertThat(((Number) box.get("right")).doubleValue()).as(section + " right").isLessThanOrEqualTo(375);
                assertThat(((Number) box.get("width")).doubleValue()).as(section + " width").isGreaterThan(300);
            }
            if (dir != null) {
                js("window.scrollTo(0, 0)");
                screenshot(dir.resolve("dashboard-phone.png"), "viewport");
                screenshot(dir.resolve("inspector-phone.png"), "#inspector");
            }
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
            js("window.scrollTo(0, 0)");
            if ("true".equals(attr("#frames-pause", "aria-pressed"))) {
                driver.findElement(By.id("frames-pause")).click();
            }
        }
        await("the page at 1280 px again", d -> ((Number) js("return window.innerWidth")).intValue() == 1280);
        assertNoConsoleProblems();
    }

    @Test
    @Order(11)
    void noConsoleErrorsOrWarningsThroughout() {
        assertThat(driver.findElement(By.id("notice")).isDisplayed()).as("an error notice: " + text("#notice")).isFalse();
        assertNoConsoleProblems();
    }

    @Test
    void missingChromiumFailsWithWhatToInstall(@TempDir Path empty) {
        assertThatThrownBy(() -> findOnPath("chromium", empty.toString()))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith(MISSING_CHROMIUM)
                .hasMessageContaining("'chromium' is not on the PATH");
    }

    // ---- helpers

    /** The executable named by {@code property}, else {@code name} on the PATH; fails saying what to install. */
    static Path requireExecutable(String property, String name) {
        String explicit = System.getProperty(property);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isExecutable(p)) {
                fail(MISSING_CHROMIUM + " (" + property + "=" + explicit + " is not an executable file)");
            }
            return p;
        }
        return findOnPath(name, System.getenv().getOrDefault("PATH", ""));
    }

    static Path findOnPath(String name, String path) {
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail(MISSING_CHROMIUM + " ('" + name + "' is not on the PATH: " + path + ")");
    }

    private static void awaitReady(WebDriver d) {
        new WebDriverWait(d, WAIT).withMessage(() -> "the dashboard to start (body[data-ready]); console: " + consoleText())
                .until(x -> "true".equals(((JavascriptExecutor) x).executeScript(
                        "return document.body && document.body.dataset.ready")));
    }

    private static void await(String what, Function<WebDriver, Boolean> condition) {
        new WebDriverWait(driver, WAIT).pollingEvery(Duration.ofMillis(50))
                .withMessage(() -> what + " (inspector " + attr("#inspector", "data-history") + ", sensors "
                        + js("return JSON.stringify(document.querySelector('#sensors').dataset)") + ", command "
                        + text("#command-status") + ", notice '" + text("#notice") + "')")
                .until(condition);
    }

    private static WebElement awaitElement(String what, String css) {
        await(what + ": " + css, d -> !d.findElements(By.cssSelector(css)).isEmpty());
        return driver.findElement(By.cssSelector(css));
    }

    private static Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /** An attribute of the first element matching {@code css}; "" when absent. */
    private static String attr(String css, String name) {
        Object v = js("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null", css, name);
        return v == null ? "" : v.toString();
    }

    private static int intAttr(String css, String name) {
        String v = attr(css, name);
        return v.isEmpty() ? -1 : Integer.parseInt(v);
    }

    /** The text of the first element matching {@code css} (an output's value too). */
    private static String text(String css) {
        Object v = js("const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : ''", css);
        return v == null ? "" : v.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<String> presence() {
        return (List<String>) js("return [...document.querySelectorAll('#presence-list li')].map(li => li.dataset.client)");
    }

    /** Replaces the input's text by typing, as a user would. */
    private static void type(WebElement input, String value) {
        input.click();
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), value);
    }

    private static void setBackoff(int min, int max) {
        for (String[] field : new String[][] {{"backoff-min", String.valueOf(min)}, {"backoff-max", String.valueOf(max)}}) {
            WebElement input = driver.findElement(By.id(field[0]));
            type(input, field[1]);
            input.sendKeys(Keys.TAB); // change fires on leaving the field
        }
        await("back-off " + min + "-" + max, d -> (min + "-" + max).equals(attr("#inspector", "data-backoff")));
    }

    private static synchronized void collectConsole() {
        console.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
    }

    private static String consoleText() {
        try {
            collectConsole();
        } catch (RuntimeException e) {
            return "(unavailable: " + e + ")";
        }
        return console.toString();
    }

    private static void assertNoConsoleProblems() {
        collectConsole();
        assertThat(console).as("console errors and warnings")
                .noneMatch(e -> e.getLevel().intValue() >= Level.WARNING.intValue());
    }

    // ---- screenshots (-Dduplex.screenshots=true)

    private static Path screenshotDir() throws IOException {
        Path dir = BrowserClientTest.moduleDir().getParent().resolve("docs/screenshots");
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * What the README should show: a valid set-point in the form, and the frame log paused just
     * after a drop, with the old connection's Close frames and the new connection's first frames.
     */
    private static void stageForScreenshots() {
        type(driver.findElement(By.id("setpoint-input")), "22");
        driver.findElement(By.tagName("h1")).click(); // leave the field: the form is not sent
        String before = attr("#inspector", "data-client");
        int reconnects = intAttr("#inspector", "data-reconnects");
        driver.findElement(By.id("drop")).click();
        await("the reconnect", d -> intAttr("#inspector", "data-reconnects") == reconnects + 1);
        String now = attr("#inspector", "data-client");
        awaitElement("the Close frame", "#frame-rows tr[data-opcode='close'][data-client='" + before + "']");
        await("a few frames of the new connection", d -> ((Number) js("return document.querySelectorAll("
                + "'#frame-rows tr[data-client=\"' + arguments[0] + '\"]').length", now)).intValue() >= 4);
        driver.findElement(By.id("frames-pause")).click();
        js("const close = document.querySelector(\"#frame-rows tr[data-opcode='close']\");"
                + "const wrap = document.querySelector('.frames-wrap');"
                + "wrap.scrollTop = Math.max(0, close.offsetTop - wrap.clientHeight / 2);");
        js("document.activeElement.blur()");
    }

    /** The whole page ({@code css} null), the viewport, or one element, beyond the viewport if need be. */
    private static void screenshot(Path file, String css) throws IOException {
        settle();
        Map<String, Object> params = new java.util.HashMap<>(Map.of("format", "png"));
        if (!"viewport".equals(css)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) js(css == null
                    ? "const e = document.documentElement; return {x: 0, y: 0, width: e.scrollWidth, height: e.scrollHeight}"
                    : "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
                    + "return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}", css);
            Map<String, Object> clip = new java.util.HashMap<>(r);
            clip.put("scale", 1);
            params.put("clip", clip);
            params.put("captureBeyondViewport", true);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> shot = (Map<String, Object>) (Map<?, ?>) driver.executeCdpCommand("Page.captureScreenshot", params);
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
        System.out.println("Screenshot: " + file);
    }

    /** Lets charts redraw after a resize (they redraw at most every 250 ms). */
    private static void settle() {
        try {
            Thread.sleep(600);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
