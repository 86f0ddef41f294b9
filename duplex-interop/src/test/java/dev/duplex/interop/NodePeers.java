package dev.duplex.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds Node.js and the {@code ws} package for the Node interop tests, and fails (never skips)
 * with a message saying how to get them when they are missing.
 *
 * <p>The peers live in {@code duplex-interop/node}: the pom passes its absolute path as the system
 * property {@value #NODE_DIR_PROPERTY}; without it (an IDE run), {@code node} under the working
 * directory, which surefire sets to the module's folder. The node executable is {@code node} from
 * the PATH unless the system property {@value #NODE_PROPERTY} names another.
 */
final class NodePeers {
    static final String MISSING = "Node.js and the npm package ws are needed: run ./test-all (it installs them)";
    static final String NODE_DIR_PROPERTY = "duplex.interop.nodeDir";
    static final String NODE_PROPERTY = "duplex.interop.node";

    /** Where Node is and where the peer scripts are. */
    record Setup(String node, Path dir, String nodeVersion, String wsVersion) {
        Path script(String name) {
            return dir.resolve(name);
        }
    }

    private static Setup cached;

    private NodePeers() {
    }

    /** The configured setup; fails the calling test with {@link #MISSING} when Node or ws is missing. */
    static synchronized Setup require() {
        if (cached == null) {
            cached = check(System.getProperty(NODE_PROPERTY, "node"), nodeDir());
        }
        return cached;
    }

    static Path nodeDir() {
        String configured = System.getProperty(NODE_DIR_PROPERTY);
        Path dir = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.dir"), "node");
        return dir.toAbsolutePath().normalize();
    }

    /** Checks {@code node} runs and {@code dir} holds the peers and {@code node_modules/ws}; fails the test otherwise. */
    static Setup check(String node, Path dir) {
        List<String> problems = new ArrayList<>();
        String nodeVersion = nodeVersion(node, problems);
        String wsVersion = null;
        Path wsPackage = dir.resolve("node_modules").resolve("ws").resolve("package.json");
        if (!Files.isRegularFile(wsPackage)) {
            problems.add("the ws package is not installed: " + wsPackage + " does not exist"
                    + " (or: npm ci --prefix " + dir + ")");
        } else {
            try {
                Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"")
                        .matcher(Files.readString(wsPackage, StandardCharsets.UTF_8));
                wsVersion = m.find() ? m.group(1) : "unknown";
            } catch (IOException e) {
                problems.add("cannot read " + wsPackage + ": " + e.getMessage());
            }
        }
        for (String script : List.of("client.mjs", "server.mjs")) {
            if (!Files.isRegularFile(dir.resolve(script))) {
                problems.add("the peer script " + dir.resolve(script) + " is missing");
            }
        }
        if (!problems.isEmpty()) {
            fail(MISSING + ". Found: " + String.join("; ", problems) + ".");
        }
        return new Setup(node, dir, nodeVersion, wsVersion);
    }

    private static String nodeVersion(String node, List<String> problems) {
        Process p = null;
        try {
            p = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                problems.add("'" + node + " --version' did not answer within 20 s");
                return null;
            }
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                problems.add("'" + node + " --version' failed with exit code " + p.exitValue() + ": " + version);
                return null;
            }
            return version;
        } catch (IOException e) {
            problems.add("cannot run '" + node + "' (not on the PATH?): " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add("interrupted while running '" + node + " --version'");
            return null;
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }
}
