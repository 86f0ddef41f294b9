package dev.duplex.web;

import dev.duplex.websocket.HttpCall;
import java.util.function.Function;
import dev.duplex.websocket.HttpReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the browser client and the dashboard from the classpath: {@code /} is the dashboard
 * ({@code /dashboard.js} and its modules in {@code /dashboard/}), {@code /duplex.js} the client (its
 * modules in {@code /duplex/}), {@code /vendor/uplot/…} the chart library's WebJar. Files are read
 * once and kept in memory with an ETag, so a reload costs a 304. Only GET and HEAD; paths with
 * {@code ..}, backslashes or encoded separators never reach the classpath, and folders are not files.
 */
public final class StaticFiles implements Function<HttpCall, HttpReply> {
    private static final String ROOT = "dev/duplex/web/static/";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "json", "application/json",
            "ico", "image/x-icon");
    /** The page talks only to its own origin (HTTP and WebSocket); nothing from elsewhere runs. */
    private static final String CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final Function<HttpCall, HttpReply> fallback;
    private final ClassLoader loader = StaticFiles.class.getClassLoader();
    private final Map<String, Optional<File>> cache = new ConcurrentHashMap<>();

    /** @param fallback answers paths that are not files here (null: 404) */
    public StaticFiles(Function<HttpCall, HttpReply> fallback) {
        this.fallback = fallback;
    }

    /** The server's HTTP handler: {@link #handle}, whose failures the server answers with 500. */
    @Override
    public HttpReply apply(HttpCall call) {
        try {
            return handle(call);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public HttpReply handle(HttpCall call) throws Exception {
        Optional<File> file = cache.get(call.path());
        if (file == null) {
            file = load(call.path());
            if (file.isPresent()) {
                cache.put(call.path(), file); // only hits: arbitrary missing paths must not fill memory
            }
        }
        if (file.isEmpty()) {
            return fallback != null ? fallback.apply(call) : HttpReply.text(404, "Not found: " + call.path() + "\n");
        }
        if (!call.method().equals("GET") && !call.method().equals("HEAD")) {
            return HttpReply.text(405, "Static files answer GET and HEAD only\n").withHeader("Allow", "GET, HEAD");
        }
        File f = file.get();
        String etag = call.header("If-None-Match");
        HttpReply reply = f.etag.equals(etag) ? HttpReply.empty(304) : HttpReply.bytes(200, f.type, f.bytes);
        return reply.withHeader("ETag", f.etag)
                .withHeader("Cache-Control", "no-cache")
                .withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("Referrer-Policy", "no-referrer")
                .withHeader("Content-Security-Policy", CSP);
    }

    private Optional<File> load(String path) {
        String resource = resourceFor(path);
        if (resource == null) {
            return Optional.empty();
        }
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String extension = resource.substring(resource.lastIndexOf('.') + 1);
            return Optional.of(new File(bytes, TYPES.getOrDefault(extension, "application/octet-stream"), etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The classpath resource for a request path, or null if the path cannot name one of our files. */
    static String resourceFor(String path) {
        if (path.equals("/")) {
            return ROOT + "index.html";
        }
        if (!path.startsWith("/") || path.contains("..") || path.contains("\\") || path.contains("%")
                || path.contains("//") || path.indexOf('\0') >= 0 || path.endsWith("/")) {
            return null;
        }
        String fileName = path.substring(path.lastIndexOf('/') + 1);
        if (fileName.lastIndexOf('.') <= 0) {
            // Every file here has an extension; a name without one is a folder (/duplex holds the
            // modules of /duplex.js), which the classpath would answer with a listing.
            return null;
        }
        if (path.startsWith("/vendor/uplot/")) {
            String name = path.substring("/vendor/uplot/".length());
            return name.contains("/") ? null : UPLOT + name;
        }
        return ROOT + path.substring(1);
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The uPlot version packaged with this build (from its WebJar's Maven metadata). */
    private static String uplotVersion() {
        try (InputStream in = StaticFiles.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "missing");
        } catch (IOException e) {
            return "missing";
        }
    }

    private record File(byte[] bytes, String type, String etag) {
    }
}
