package dev.duplex.hub.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duplex.hub.Hub;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.metrics.HubMetrics;
import dev.duplex.hub.protocol.Commands;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.hub.session.HubSession;
import dev.duplex.websocket.HttpCall;
import java.util.function.Function;
import dev.duplex.websocket.HttpReply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The hub's HTTP endpoints on the WebSocket port: {@code /health}, {@code /ready}, {@code /metrics}
 * and, with an API key configured, the server API under {@code /api/} (publish, broadcast, presence,
 * history, disconnect, channels, stats). Anything else goes to the {@code fallback} handler (static
 * files, for instance), or gets 404. Requests and replies are JSON; every error says what to fix.
 */
public final class HubHttpApi implements Function<HttpCall, HttpReply> {
    private static final long BROKER_TIMEOUT_SECONDS = 10;
    /** Channels one broadcast may name: each is one publication, awaited in turn. */
    static final int MAX_BROADCAST_CHANNELS = 1_000;
    /** A disconnect reason goes into the close frame, whose reason holds 123 bytes (RFC 6455 §5.5). */
    private static final int MAX_REASON_BYTES = 123;

    private final Hub hub;
    private final Function<HttpCall, HttpReply> fallback;
    private final byte[] apiKey;
    private final ObjectMapper json = HubCodec.JSON.mapper();

    public HubHttpApi(Hub hub, Function<HttpCall, HttpReply> fallback) {
        this.hub = hub;
        this.fallback = fallback;
        String key = hub.config().apiKey();
        this.apiKey = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    /** The server's HTTP handler: {@link #handle}, whose failures the server answers with 500. */
    @Override
    public HttpReply apply(HttpCall call) {
        try {
            return handle(call);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(e);
        }
    }

    public HttpReply handle(HttpCall call) throws Exception {
        String path = call.path();
        switch (path) {
            case "/health":
                return get(call, () -> HttpReply.json(200, "{\"status\":\"ok\"}\n"));
            case "/ready":
                return get(call, () -> hub.draining()
                        ? HttpReply.json(503, "{\"status\":\"draining\"}\n").withHeader("Retry-After", "5")
                        : HttpReply.json(200, "{\"status\":\"ready\"}\n"));
            case "/metrics":
                return get(call, () -> HttpReply.bytes(200, HubMetrics.contentType(),
                        hub.metrics().scrape().getBytes(StandardCharsets.UTF_8)));
            default:
                break;
        }
        if (path.startsWith("/api/")) {
            return api(call, path.substring("/api/".length()));
        }
        return fallback != null ? fallback.apply(call) : error(404, "Nothing at " + path
                + "; the hub serves /connect (WebSocket), /health, /ready, /metrics and /api/…");
    }

    private HttpReply api(HttpCall call, String operation) throws Exception {
        if (apiKey == null) {
            return error(404, "The HTTP API is off: configure an API key (api_key) to turn it on");
        }
        if (!authorized(call)) {
            return error(401, "Send the API key as 'Authorization: apikey KEY'")
                    .withHeader("WWW-Authenticate", "apikey");
        }
        try {
            switch (operation) {
                case "publish":
                    return post(call, () -> publish(call));
                case "broadcast":
                    return post(call, () -> broadcast(call));
                case "presence":
                    return get(call, () -> presence(call));
                case "history":
                    return get(call, () -> history(call));
                case "disconnect":
                    return post(call, () -> disconnect(call));
                case "channels":
                    return get(call, () -> channels());
                case "stats":
                    return get(call, () -> stats());
                default:
                    return error(404, "No API operation '" + operation
                            + "'; the operations are publish, broadcast, presence, history, disconnect, channels, stats (docs/http-api.md)");
            }
        } catch (BadRequest e) {
            return error(400, e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        } catch (TimeoutException e) {
            return error(504, "The broker did not answer within " + BROKER_TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof dev.duplex.hub.broker.BrokerCapacityException full) {
                // A node-wide budget is spent: the same refusal a client gets as error 106.
                return error(503, full.getMessage()).withHeader("Retry-After", "60");
            }
            if (e.getCause() instanceof dev.duplex.hub.broker.BrokerUnavailableException) {
                // Redis is down or slow: nothing was done, as a client's error 116 says.
                return error(503, "The hub's broker cannot be reached right now, so nothing was done; retry in a few "
                        + "seconds (a publish retried with the same Idempotency-Key is stored once)").withHeader("Retry-After", "5");
            }
            return error(502, "The broker failed: " + e.getCause());
        }
    }

    private boolean authorized(HttpCall call) {
        String header = call.header("Authorization");
        if (header == null) {
            return false;
        }
        int space = header.indexOf(' ');
        if (space < 0) {
            return false;
        }
        String scheme = header.substring(0, space);
        if (!scheme.equalsIgnoreCase("apikey") && !scheme.equalsIgnoreCase("bearer")) {
            return false;
        }
        byte[] given = header.substring(space + 1).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, apiKey); // constant time: no timing oracle on the key
    }

    // ---- operations

    private HttpReply publish(HttpCall call) throws Exception {
        JsonNode body = body(call);
        String channel = channel(text(body, "channel", true), "Field \"channel\"");
        JsonNode data = data(body);
        String key = idempotencyKey(call, body);
        String tooLarge = tooLarge(channel, dataBytes(data));
        if (tooLarge != null) {
            return error(413, tooLarge);
        }
        PublishResult result = await(hub.publish(channel, data, key));
        return ok(result(channel, result));
    }

    private HttpReply broadcast(HttpCall call) throws Exception {
        JsonNode body = body(call);
        JsonNode channels = body.get("channels");
        if (channels == null || !channels.isArray() || channels.isEmpty()) {
            throw new BadRequest("Field \"channels\" must be a non-empty array of channel names");
        }
        if (channels.size() > MAX_BROADCAST_CHANNELS) {
            throw new BadRequest("Field \"channels\" must hold at most " + MAX_BROADCAST_CHANNELS + " channels");
        }
        for (JsonNode c : channels) {
            if (!c.isTextual()) {
                throw new BadRequest("Field \"channels\" must hold strings");
            }
            channel(c.asText(), "Each of \"channels\"");
        }
        JsonNode data = data(body);
        String key = idempotencyKey(call, body);
        int dataBytes = dataBytes(data);
        ArrayNode results = json.createArrayNode();
        for (JsonNode c : channels) {
            try {
                String tooLarge = tooLarge(c.asText(), dataBytes);
                if (tooLarge != null) {
                    results.add(json.createObjectNode().put("channel", c.asText()).put("error", tooLarge));
                } else {
                    results.add(result(c.asText(), await(hub.publish(c.asText(), data, key))));
                }
            } catch (IllegalArgumentException e) {
                results.add(json.createObjectNode().put("channel", c.asText()).put("error", e.getMessage()));
            }
        }
        ObjectNode reply = json.createObjectNode();
        reply.set("results", results);
        return ok(reply);
    }

    private HttpReply presence(HttpCall call) throws Exception {
        String channel = channel(parameter(call, "channel"), "Query parameter \"channel\"");
        ObjectNode reply = json.createObjectNode().put("channel", channel);
        reply.set("clients", json.valueToTree(await(hub.presence(channel))));
        return ok(reply);
    }

    private HttpReply history(HttpCall call) throws Exception {
        String channel = channel(parameter(call, "channel"), "Query parameter \"channel\"");
        int limit = call.queryParameter("limit") == null ? Integer.MAX_VALUE : (int) number(call, "limit", Integer.MAX_VALUE);
        StreamPosition since = null;
        if (call.queryParameter("since_offset") != null || call.queryParameter("since_epoch") != null) {
            String epoch = parameter(call, "since_epoch");
            since = new StreamPosition(number(call, "since_offset", Long.MAX_VALUE), epoch);
        }
        HistoryPage page = await(hub.history(channel, since, limit));
        if (!page.recoverable()) {
            return error(409, "That position is no longer in history; the stream is at epoch "
                    + page.epoch() + ", offset " + page.offset());
        }
        ObjectNode reply = json.createObjectNode().put("channel", channel).put("epoch", page.epoch())
                .put("offset", page.offset());
        reply.set("publications", json.valueToTree(page.publications()));
        return ok(reply);
    }

    private HttpReply disconnect(HttpCall call) throws Exception {
        JsonNode body = body(call);
        String user = bounded(text(body, "user", true), "Field \"user\"", Commands.MAX_ID_BYTES, "");
        JsonNode reconnectField = body.get("reconnect");
        if (reconnectField != null && !reconnectField.isNull() && !reconnectField.isBoolean()) {
            throw new BadRequest("Field \"reconnect\" must be true or false");
        }
        boolean reconnect = reconnectField != null && reconnectField.asBoolean(false);
        String reason = bounded(text(body, "reason", false), "Field \"reason\"", MAX_REASON_BYTES,
                " (it travels in a close frame)");
        // Every node of the cluster, not only this one (with the in-memory broker: this one).
        int count = hub.disconnectUserEverywhere(user, reconnect, reason).get(BROKER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return ok(json.createObjectNode().put("user", user).put("disconnected", count));
    }

    private HttpReply channels() {
        ObjectNode reply = json.createObjectNode();
        ObjectNode channels = reply.putObject("channels");
        hub.channels().forEach(channels::put);
        return ok(reply);
    }

    private HttpReply stats() throws Exception {
        List<HubSession.Stats> connections = hub.connections();
        long queued = 0;
        long oldest = 0;
        for (HubSession.Stats s : connections) {
            queued += s.queuedBytes();
            oldest = Math.max(oldest, s.oldestQueuedMillis());
        }
        ObjectNode reply = json.createObjectNode()
                .put("connections", connections.size())
                .put("channels", hub.channels().size())
                .put("draining", hub.draining())
                .put("queuedBytes", queued)
                .put("oldestQueuedMillis", oldest);
        List<HubSession.Stats> sorted = new ArrayList<>(connections);
        sorted.sort((a, b) -> Long.compare(b.queuedBytes(), a.queuedBytes()));
        // The most backed-up connections first; the full list can be long on a busy node.
        reply.set("connectionDetails", json.valueToTree(sorted.subList(0, Math.min(100, sorted.size()))));
        reply.put("node", hub.nodeId());
        var nodes = reply.putArray("nodes");
        for (dev.duplex.hub.broker.NodeStatus n : hub.nodes().get(BROKER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            ObjectNode node = nodes.addObject().put("id", n.id()).put("self", n.self()).put("alive", n.alive())
                    .put("lastSeenMillis", n.lastSeenMillis());
            node.set("report", n.report());
        }
        return ok(reply);
    }

    // ---- helpers

    /** An operation behind a method check. */
    private interface Operation {
        HttpReply run() throws Exception;
    }

    private static HttpReply get(HttpCall call, Operation operation) throws Exception {
        return call.method().equals("GET") || call.method().equals("HEAD") ? operation.run()
                : error(405, "Use GET").withHeader("Allow", "GET, HEAD");
    }

    private static HttpReply post(HttpCall call, Operation operation) throws Exception {
        return call.method().equals("POST") ? operation.run()
                : error(405, "Use POST with a JSON body").withHeader("Allow", "POST");
    }

    private JsonNode body(HttpCall call) throws BadRequest {
        if (call.bodyLength() == 0) {
            throw new BadRequest("Send a JSON object as the request body");
        }
        try {
            JsonNode node = json.readTree(call.body());
            if (node == null || !node.isObject()) {
                throw new BadRequest("The request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new BadRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new BadRequest("The request body could not be read");
        }
    }

    private static JsonNode data(JsonNode body) throws BadRequest {
        JsonNode data = body.get("data");
        if (data == null) {
            throw new BadRequest("Missing field \"data\"");
        }
        return data;
    }

    private static String idempotencyKey(HttpCall call, JsonNode body) throws BadRequest {
        String header = call.header("Idempotency-Key");
        return header != null ? bounded(header, "Header \"Idempotency-Key\"", Commands.MAX_ID_BYTES, "")
                : bounded(text(body, "idempotencyKey", false), "Field \"idempotencyKey\"", Commands.MAX_ID_BYTES, "");
    }

    /** {@code value} if it is at most {@code maxBytes} of UTF-8 (null passes). */
    private static String bounded(String value, String what, int maxBytes, String why) throws BadRequest {
        if (value != null && (value.length() > maxBytes || value.getBytes(StandardCharsets.UTF_8).length > maxBytes)) {
            throw new BadRequest(what + " must be at most " + maxBytes + " bytes of UTF-8" + why);
        }
        return value;
    }

    private static String text(JsonNode body, String field, boolean required) throws BadRequest {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new BadRequest("Missing field \"" + field + "\"");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new BadRequest("Field \"" + field + "\" must be a string");
        }
        return value.asText();
    }

    private static String parameter(HttpCall call, String name) throws BadRequest {
        String value = call.queryParameter(name);
        if (value == null || value.isEmpty()) {
            throw new BadRequest("Missing query parameter \"" + name + "\"");
        }
        return value;
    }

    /** A non-negative integer query parameter; values above {@code max} count as {@code max}. */
    private static long number(HttpCall call, String name, long max) throws BadRequest {
        String value = parameter(call, name);
        if (!value.matches("\\d{1,19}")) {
            throw new BadRequest("Query parameter \"" + name + "\" must be a non-negative integer, not '" + value + "'");
        }
        try {
            return Math.min(Long.parseLong(value), max);
        } catch (NumberFormatException e) {
            return max; // 19 digits beyond Long.MAX_VALUE
        }
    }

    /**
     * A channel name checked as the WebSocket commands check it ({@link Commands#MAX_CHANNEL_LENGTH},
     * no spaces or control characters), so the API cannot create a channel no client could name.
     */
    private static String channel(String name, String what) throws BadRequest {
        if (name.isEmpty()) {
            throw new BadRequest(what + " must not be empty");
        }
        if (name.length() > Commands.MAX_CHANNEL_LENGTH) {
            throw new BadRequest(what + " is longer than " + Commands.MAX_CHANNEL_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new BadRequest(what + " must not contain spaces or control characters");
            }
        }
        return name;
    }

    private int dataBytes(JsonNode data) throws JsonProcessingException {
        return json.writeValueAsBytes(data).length;
    }

    /**
     * Why {@code dataBytes} of data may not go to {@code channel} (its namespace's largest
     * publication, as for WebSocket publishes), or null; an unknown namespace is left to the hub.
     */
    private String tooLarge(String channel, int dataBytes) {
        NamespaceConfig ns = hub.config().namespaceOf(channel);
        if (ns == null || dataBytes <= ns.maxMessageBytes()) {
            return null;
        }
        return "The data is " + dataBytes + " bytes; " + channel + " allows " + ns.maxMessageBytes();
    }

    private ObjectNode result(String channel, PublishResult r) {
        return json.createObjectNode().put("channel", channel).put("epoch", r.epoch()).put("offset", r.offset())
                .put("duplicate", r.duplicate());
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future)
            throws ExecutionException, TimeoutException, InterruptedException {
        return future.get(BROKER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private HttpReply ok(JsonNode body) {
        return HttpReply.json(200, body.toString() + "\n");
    }

    private static HttpReply error(int status, String message) {
        return HttpReply.json(status, "{\"error\":" + quote(message) + "}\n");
    }

    private static String quote(String s) {
        try {
            return HubCodec.JSON.mapper().writeValueAsString(s);
        } catch (JsonProcessingException e) {
            return "\"\"";
        }
    }

    /** A request the API cannot serve as sent. */
    private static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
