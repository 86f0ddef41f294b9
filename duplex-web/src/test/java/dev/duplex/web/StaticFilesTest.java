package dev.duplex.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.websocket.HttpCall;
import dev.duplex.websocket.HttpReply;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class StaticFilesTest {
    private final StaticFiles files = new StaticFiles(call -> HttpReply.text(404, "fallback"));

    private static HttpCall get(String path, Map<String, List<String>> headers) {
        return new HttpCall("GET", path, null, headers, new byte[0], new InetSocketAddress("127.0.0.1", 1));
    }

    @Test
    void servesTheChartLibraryFromItsWebJarWithValidation() throws Exception {
        HttpReply reply = files.handle(get("/vendor/uplot/uPlot.esm.js", Map.of()));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("text/javascript");
        assertThat(reply.bodyLength()).isGreaterThan(10_000);
        assertThat(reply.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(reply.header("Content-Security-Policy")).contains("default-src 'self'")
                .as("the page connects to its own origin only, WebSocket included").contains("connect-src 'self';")
                .doesNotContain("ws:").doesNotContain("wss:");
        String etag = reply.header("ETag");
        assertThat(etag).startsWith("\"");

        HttpReply again = files.handle(get("/vendor/uplot/uPlot.esm.js", Map.of("If-None-Match", List.of(etag))));
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.bodyLength()).isZero();
    }

    @Test
    void theBrowserClientCarriesTheProjectVersion() throws Exception {
        String version = System.getProperty("duplex.version");
        assertThat(version).as("the build passes duplex.version").isNotBlank();
        HttpReply reply = files.handle(get("/duplex.js", Map.of()));
        assertThat(new String(bytes(reply), StandardCharsets.UTF_8))
                .as("duplex.js states the pom's version; change it with the pom's")
                .contains("export const VERSION = '" + version + "';");
    }

    /** {@code import … from '…'} and {@code export … from '…'} at the start of a line (not in comments). */
    private static final Pattern IMPORT = Pattern.compile("(?m)^\\s*(?:import|export)\\b[^'\";]*?\\bfrom\\s*'([^']+)'");

    @Test
    void everyModuleOfTheClientAndTheDashboardIsServedAsJavaScript() throws Exception {
        Set<String> served = new TreeSet<>();
        Deque<String> toVisit = new ArrayDeque<>(List.of("/duplex.js", "/dashboard.js"));
        while (!toVisit.isEmpty()) {
            String path = toVisit.pop();
            if (!served.add(path)) {
                continue;
            }
            HttpReply reply = files.handle(get(path, Map.of()));
            assertThat(reply.status()).as(path).isEqualTo(200);
            assertThat(reply.header("Content-Type")).as(path).isEqualTo("text/javascript; charset=utf-8");
            assertThat(reply.header("Content-Security-Policy")).as(path).contains("default-src 'self'");
            if (path.startsWith("/vendor/")) {
                continue;
            }
            Matcher m = IMPORT.matcher(new String(bytes(reply), StandardCharsets.UTF_8));
            while (m.find()) {
                toVisit.add(URI.create("http://hub" + path).resolve(m.group(1)).getPath());
            }
        }
        assertThat(served).as("modules in sub-folders, as browsers resolve the imports")
                .contains("/duplex/backoff.js", "/duplex/connector.js", "/duplex/outbox.js", "/dashboard/inspector.js",
                        "/dashboard/page.js", "/vendor/uplot/uPlot.esm.js");

        // No module is left out (or left behind): every script in the static folder is one of them.
        Path root = Path.of(StaticFiles.class.getClassLoader().getResource("dev/duplex/web/static/").toURI());
        Set<String> scripts = new TreeSet<>();
        try (Stream<Path> all = Files.walk(root)) {
            all.filter(p -> p.toString().endsWith(".js"))
                    .forEach(p -> scripts.add("/" + root.relativize(p).toString().replace('\\', '/')));
        }
        assertThat(served).containsAll(scripts);
    }

    @Test
    void foldersAreNotFiles() throws Exception {
        for (String path : List.of("/duplex", "/dashboard", "/duplex/", "/dashboard/", "/vendor/uplot", "/vendor")) {
            assertThat(StaticFiles.resourceFor(path)).as(path).isNull();
            HttpReply reply = files.handle(get(path, Map.of()));
            assertThat(new String(bytes(reply), StandardCharsets.UTF_8)).as(path + ": not a listing").isEqualTo("fallback");
        }
        assertThat(StaticFiles.resourceFor("/duplex/backoff.js")).isEqualTo("dev/duplex/web/static/duplex/backoff.js");
        assertThat(StaticFiles.resourceFor("/")).isEqualTo("dev/duplex/web/static/index.html");
    }

    @Test
    void cssHasItsType() throws Exception {
        HttpReply reply = files.handle(get("/vendor/uplot/uPlot.min.css", Map.of()));
        assertThat(reply.header("Content-Type")).startsWith("text/css");
    }

    @Test
    void pathsOutsideTheStaticFolderNeverReachTheClasspath() throws Exception {
        for (String path : List.of("/../StaticFiles.class", "/%2e%2e/x", "/a\\b", "/vendor/uplot/../../../pom.properties",
                "//etc/passwd", "/vendor/uplot/dist/x.js", "/dir/", "/a\0b")) {
            assertThat(StaticFiles.resourceFor(path)).as(path).isNull();
            HttpReply reply = files.handle(get(path, Map.of()));
            assertThat(new String(bytes(reply), StandardCharsets.UTF_8)).as(path).isEqualTo("fallback");
        }
    }

    @Test
    void unknownFilesGoToTheFallbackAndOnlyGetAndHeadAreServed() throws Exception {
        assertThat(files.handle(get("/no-such-file.js", Map.of())).status()).isEqualTo(404);
        HttpReply post = files.handle(new HttpCall("POST", "/vendor/uplot/uPlot.min.css", null, Map.of(), new byte[0],
                new InetSocketAddress("127.0.0.1", 1)));
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
    }

    private static byte[] bytes(HttpReply reply) {
        byte[] b = new byte[reply.bodyLength()];
        reply.body().get(b);
        return b;
    }
}
