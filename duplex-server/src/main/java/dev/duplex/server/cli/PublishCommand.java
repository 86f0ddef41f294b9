package dev.duplex.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code duplex publish CHANNEL DATA}: publishes through the hub's HTTP API ({@code POST /api/publish}).
 * Exit status: 0 published (or a duplicate of an earlier publish with the same idempotency key), 1
 * the hub could not be reached, 2 bad arguments, 3 the hub refused the request, 4 the API key was
 * missing or wrong.
 */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publish DATA to CHANNEL through the hub's HTTP API (POST /api/publish).",
                "DATA is sent as JSON if it parses as JSON ({\"text\":\"hi\"}, 42, true, \"quoted\"), otherwise as a JSON "
                        + "string; - reads it from standard input.",
                "Exit status: 0 published, 1 hub not reachable, 2 bad arguments, 3 refused by the hub, 4 API key missing or wrong."})
final class PublishCommand implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_UNREACHABLE = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_REFUSED = 3;
    static final int EXIT_UNAUTHORIZED = 4;
    static final String API_KEY_VARIABLE = "DUPLEX_API_KEY";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "CHANNEL", description = "Channel, e.g. chat:lobby.")
    String channel;

    @Parameters(index = "1", paramLabel = "DATA", description = "JSON, or any text (sent as a JSON string); - reads standard input.")
    String data;

    @Option(names = "--url", defaultValue = "http://localhost:8080", paramLabel = "URL",
            description = "The hub: http:// or https:// (ws:// and wss:// work too) (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "The hub's API key (its api_key setting); default: $DUPLEX_API_KEY.")
    String apiKey;

    @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = "Publish at most once with this key within the namespace's dedup_window; a retry answers with "
                    + "the first publication's offset.")
    String idempotencyKey;

    @Option(names = "--json", description = "Print the hub's JSON reply instead of a sentence.")
    boolean printJson;

    @Option(names = "--timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Seconds to connect and for the reply (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> environment;

    PublishCommand() {
        this(System.in, System.out, System.err, System.getenv());
    }

    /** For tests: streams and environment of their own. */
    PublishCommand(InputStream in, PrintStream out, PrintStream err, Map<String, String> environment) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.environment = environment;
    }

    @Override
    public Integer call() throws InterruptedException {
        URI endpoint;
        try {
            endpoint = endpoint(url);
        } catch (IllegalArgumentException e) {
            err.println("duplex publish: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (channel.isBlank()) {
            err.println("duplex publish: CHANNEL must not be empty");
            return EXIT_USAGE;
        }
        Duration timeout = Duration.ofMillis((long) (timeoutSeconds * 1000));
        if (timeout.isNegative() || timeout.isZero()) {
            err.println("duplex publish: --timeout must be positive");
            return EXIT_USAGE;
        }
        JsonNode payload;
        try {
            payload = data.equals("-") ? parseData(new String(in.readAllBytes(), StandardCharsets.UTF_8), true) : parseData(data, false);
        } catch (IOException e) {
            err.println("duplex publish: could not read standard input: " + e.getMessage());
            return EXIT_USAGE;
        }
        ObjectNode body = JSON.createObjectNode().put("channel", channel);
        body.set("data", payload);
        String key = apiKey != null ? apiKey : environment.get(API_KEY_VARIABLE);
        if (key != null && key.isEmpty()) {
            key = null;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (key != null) {
            request.header("Authorization", "apikey " + key);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        HttpResponse<String> response;
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            err.println("duplex publish: could not reach the hub at " + endpoint + ": " + explain(e));
            return EXIT_UNREACHABLE;
        }
        return report(response, key != null, key == null ? null : (apiKey != null ? "--api-key" : API_KEY_VARIABLE));
    }

    private int report(HttpResponse<String> response, boolean keyGiven, String keySource) {
        int status = response.statusCode();
        String message = errorMessage(response.body());
        if (status == 200) {
            JsonNode reply;
            try {
                reply = JSON.readTree(response.body());
            } catch (JsonProcessingException e) {
                err.println("duplex publish: the hub answered 200 with a body that is not JSON: " + firstLine(response.body()));
                return EXIT_REFUSED;
            }
            if (printJson) {
                out.println(reply.toString());
            } else if (reply.path("duplicate").asBoolean(false)) {
                out.println("Already published to " + reply.path("channel").asText() + " at offset " + reply.path("offset").asLong()
                        + " (epoch " + reply.path("epoch").asText() + "): duplicate of an earlier publish with idempotency key "
                        + idempotencyKey + ", not published again");
            } else {
                out.println("Published to " + reply.path("channel").asText() + " at offset " + reply.path("offset").asLong()
                        + " (epoch " + reply.path("epoch").asText() + ")");
            }
            return EXIT_OK;
        }
        if (status == 401) {
            err.println("duplex publish: 401 Unauthorized: " + (keyGiven
                    ? "the hub refused the API key from " + keySource + "; it must equal the hub's api_key setting"
                    : "no API key given; pass --api-key KEY or set " + API_KEY_VARIABLE + " (the hub's api_key setting)"));
            return EXIT_UNAUTHORIZED;
        }
        String detail = message != null ? message : firstLine(response.body());
        if (status == 404 && message != null && message.contains("API is off")) {
            err.println("duplex publish: the hub's HTTP API is off: start it with an api_key (in its configuration file, or "
                    + API_KEY_VARIABLE + "=… ./duplex serve)");
        } else {
            err.println("duplex publish: the hub answered " + status + ": " + detail);
        }
        return EXIT_REFUSED;
    }

    /** {@code http://host:port[/prefix]} → {@code …/api/publish}; ws:// and wss:// become http:// and https://. */
    static URI endpoint(String base) {
        URI uri;
        try {
            uri = new URI(base.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url is not a URL: " + base);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        scheme = switch (scheme) {
            case "http", "ws" -> "http";
            case "https", "wss" -> "https";
            default -> throw new IllegalArgumentException("--url must start with http:// or https://, e.g. http://localhost:8080: " + base);
        };
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("--url has no host: " + base);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.endsWith("/connect")) {
            path = path.substring(0, path.length() - "/connect".length()); // the hub's WebSocket URL, pasted
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        try {
            return new URI(scheme, null, uri.getHost(), uri.getPort(), path + "/api/publish", null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url is not a URL: " + base);
        }
    }

    /** JSON if it parses as one JSON value, otherwise the text as a JSON string (from stdin: one trailing newline dropped). */
    static JsonNode parseData(String text, boolean fromInput) {
        String s = fromInput && text.endsWith("\n") ? text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1)) : text;
        try {
            JsonNode node = JSON.readTree(s);
            if (node != null && !node.isMissingNode()) {
                return node;
            }
        } catch (JsonProcessingException e) {
            // not JSON: a string
        }
        return TextNode.valueOf(s);
    }

    private static String errorMessage(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.path("error").isTextual() ? node.path("error").asText() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String explain(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "timed out connecting";
        }
        if (e instanceof HttpTimeoutException) {
            return "no reply within the timeout";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "unknown host";
            }
        }
        if (e instanceof ConnectException) {
            return "connection refused (is duplex serve running there?)";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getMessage() == null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static String firstLine(String s) {
        if (s == null || s.isEmpty()) {
            return "(empty body)";
        }
        int newline = s.indexOf('\n');
        String line = newline < 0 ? s : s.substring(0, newline);
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
