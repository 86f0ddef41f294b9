package dev.duplex.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.auth.TokenVerifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * Runs the tests of the browser client, duplex.js, with Node's test runner: the unit tests (fake
 * WebSocket and clock) and the integration tests against real hubs started here on loopback.
 *
 * <p>Node.js is needed (the test fails, never skips, without it), and the {@code ws} package that
 * ./test-all installs into {@code duplex-interop/node/node_modules}: Node 20 has no WebSocket of
 * its own. Its entry point is passed to the Node tests as {@code DUPLEX_WS_MODULE}. Two hubs:
 * {@code DUPLEX_HUB_URL} (anonymous, 2 s heartbeat, history of 1000, high command rates) and
 * {@code DUPLEX_AUTH_HUB_URL} (no anonymous connections; HS256 tokens signed with
 * {@code DUPLEX_AUTH_HUB_SECRET}).
 *
 * <p>The node executable is {@code node} from the PATH unless the system property
 * {@value #NODE_PROPERTY} names another.
 */
class BrowserClientTest {
    static final String NODE_PROPERTY = "duplex.web.node";
    static final String MISSING_NODE = "Node.js is needed to test duplex.js: install nodejs (./test-all does)";
    /** Well under JUnit's default timeout (120 s), so that this test, not JUnit, ends a hung run and its processes. */
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern SUMMARY = Pattern.compile("^\\S*\\s*(tests|pass|fail|skipped|cancelled|todo) (\\d+)\\s*$",
            Pattern.MULTILINE);

    @Test
    void duplexJsPassesItsNodeTestsAgainstARealHub() throws Exception {
        Path module = moduleDir();
        Path tests = module.resolve("src/test/node");
        List<String> files;
        try (Stream<Path> s = Files.list(tests)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".test.mjs")).map(p -> p.toString()).sorted().toList();
        }
        assertThat(files).as("Node test files in " + tests).isNotEmpty();
        assertThat(files).as("the integration tests").anyMatch(f -> f.endsWith("hub.integration.test.mjs"));
        String node = System.getProperty(NODE_PROPERTY, "node");
        String nodeVersion = requireNode(node);
        Path ws = requireWs(module.getParent().resolve("duplex-interop/node"));
        String secret = HexFormat.of().formatHex(randomBytes(32));

        HubConfig open = HubConfig.builder()
                .heartbeat(Duration.ofSeconds(2))
                .commandRate(100_000, 100_000)
                .defaultNamespace(NamespaceConfig.builder().historySize(1_000).build())
                .build();
        HubConfig closed = HubConfig.builder()
                .anonymous(false)
                .tokens(TokenVerifier.builder().hmacSecret(secret).build())
                .build();
        try (HubServer hub = startHub(open); HubServer authHub = startHub(closed)) {
            List<String> command = new ArrayList<>(List.of(node, "--test", "--test-reporter=spec"));
            command.addAll(files);
            ProcessBuilder pb = new ProcessBuilder(command).directory(module.toFile()).redirectErrorStream(true);
            pb.environment().put("DUPLEX_HUB_URL", url(hub));
            pb.environment().put("DUPLEX_AUTH_HUB_URL", url(authHub));
            pb.environment().put("DUPLEX_AUTH_HUB_SECRET", secret);
            pb.environment().put("DUPLEX_WS_MODULE", ws.toAbsolutePath().toString());
            pb.environment().put("NO_COLOR", "1");
            pb.environment().remove("NODE_OPTIONS");
            long started = System.nanoTime();
            Process process = pb.start();
            String output = runToEnd(process, String.join(" ", command));
            int exit = process.exitValue();
            if (exit != 0) {
                fail("node --test exited with " + exit + ":\n" + output);
            }
            Matcher m = SUMMARY.matcher(output);
            Map<String, Integer> counts = new HashMap<>();
            while (m.find()) {
                counts.put(m.group(1), Integer.parseInt(m.group(2)));
            }
            assertThat(counts).as("the summary of node --test:\n" + output).containsKeys("tests", "pass", "fail", "skipped");
            assertThat(counts.get("fail")).as("failed tests:\n" + output).isZero();
            assertThat(counts.get("skipped")).as("skipped tests (the integration tests must run here):\n" + output).isZero();
            assertThat(counts.get("pass")).as("passed tests:\n" + output).isEqualTo(counts.get("tests")).isGreaterThan(50);
            System.out.printf("duplex.js: %d Node tests passed in %d ms (Node %s)%n", counts.get("pass"),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), nodeVersion);
        }
    }

    @Test
    void missingNodeFailsWithWhatToInstall() {
        assertThatThrownBy(() -> requireNode("duplex-web-no-such-node"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith(MISSING_NODE)
                .hasMessageContaining("cannot run 'duplex-web-no-such-node'");
    }

    @Test
    void missingWsPackageFailsWithWhatToRun(@TempDir Path dir) {
        assertThatThrownBy(() -> requireWs(dir))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("./test-all")
                .hasMessageContaining("npm ci --prefix " + dir);
    }

    /** Node's version; fails the test with {@link #MISSING_NODE} when {@code node} does not run. */
    static String requireNode(String node) {
        Process p = null;
        try {
            p = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                return fail(MISSING_NODE + ": '" + node + " --version' did not answer within 20 s");
            }
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                return fail(MISSING_NODE + ": '" + node + " --version' failed with exit code " + p.exitValue() + ": " + version);
            }
            return version;
        } catch (IOException e) {
            return fail(MISSING_NODE + ": cannot run '" + node + "' (not on the PATH?): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("Interrupted while running '" + node + " --version'");
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    /** The entry point of the ws package in {@code nodeDir}/node_modules; fails the test saying how to install it. */
    static Path requireWs(Path nodeDir) {
        Path ws = nodeDir.resolve("node_modules/ws/index.js");
        if (!Files.isRegularFile(ws)) {
            fail("The npm package ws is needed by the Node tests of duplex.js: run ./test-all (it installs it), or "
                    + "npm ci --prefix " + nodeDir + " (" + ws + " is missing)");
        }
        return ws.toAbsolutePath();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static String url(HubServer hub) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        String host = loopback instanceof java.net.Inet6Address ? "[" + loopback.getHostAddress() + "]" : loopback.getHostAddress();
        return "ws://" + host + ":" + hub.port() + HubServer.PATH;
    }

    private static HubServer startHub(HubConfig config) {
        return HubServer.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).config(config).start();
    }

    /** Reads the output until the process ends; kills it (and its children) after {@link #NODE_TIMEOUT}. */
    private static String runToEnd(Process process, String description) throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to close
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "output of node --test");
        reader.setDaemon(true);
        reader.start();
        boolean ended = false;
        try {
            ended = process.waitFor(NODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            if (!ended) {
                // node --test runs each file in a child process: end them all.
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        reader.join(5_000);
        String output = out.toString(StandardCharsets.UTF_8);
        if (!ended) {
            fail("'" + description + "' did not finish within " + NODE_TIMEOUT.toSeconds() + " s:\n" + output);
        }
        return output;
    }

    /**
     * The duplex-web folder: from where this class was loaded ({@code duplex-web/target/test-classes}),
     * else the working directory or one of its parents.
     */
    static Path moduleDir() {
        List<Path> candidates = new ArrayList<>();
        try {
            Path classes = Path.of(BrowserClientTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = classes; p != null; p = p.getParent()) {
                candidates.add(p);
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall back to the working directory
        }
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            candidates.add(p);
            candidates.add(p.resolve("duplex-web"));
        }
        for (Path p : candidates) {
            if (Files.isDirectory(p.resolve("src/test/node")) && Files.isRegularFile(p.resolve("pom.xml"))
                    && p.getFileName() != null && p.getFileName().toString().equals("duplex-web")) {
                return p.toAbsolutePath().normalize();
            }
        }
        return fail("Cannot find the duplex-web module (with src/test/node) from " + candidates);
    }
}
