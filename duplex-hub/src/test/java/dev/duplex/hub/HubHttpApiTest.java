package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.duplex.hub.auth.TokenVerifier;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hub's HTTP endpoints against a real {@link HubServer} on loopback, through the JDK's HTTP
 * client: health, readiness, metrics, and every /api operation with its errors.
 */
class HubHttpApiTest {
    private static final String KEY = "http-api-test-key-0123456789";
    private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private HubServer server;

    @BeforeEach
    void start() {
        server = start(config().apiKey(KEY).build());
    }

    @AfterEach
    void stop() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                // keep stopping the rest
            }
        }
    }

    private static HubConfig.Builder config() {
        return HubConfig.builder()
                .tokens(TokenVerifier.builder().hmacSecret(SECRET).build())
                .namespace("short", NamespaceConfig.builder().historySize(3).build())
                .namespace("tiny", NamespaceConfig.builder().maxMessageBytes(16).build());
    }

    private HubServer start(HubConfig config) {
        HubServer s = HubServer.builder().config(config)
                .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
        started.push(s);
        return s;
    }

    private TestHubClient client(String token) throws Exception {
        TestHubClient c = TestHubClient.connected(server.port(), token);
        started.push(c);
        return c;
    }

    private static String token(String user) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(user)
                .expirationTime(new java.util.Date(System.currentTimeMillis() + 3_600_000)).build());
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    // ------------------------------------------------------------------ requests

    private HttpResponse<String> get(String path) throws Exception {
        return send(server, "GET", path, null, "Authorization", "apikey " + KEY);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send(server, "POST", path, body, "Authorization", "apikey " + KEY);
    }

    private static HttpResponse<String> send(HubServer to, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    /** The {@code error} message of a JSON error reply with {@code status}. */
    private static String error(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
        return json(response).path("error").asText();
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ health, readiness, metrics

    @Test
    void healthNeedsNoKey() throws Exception {
        HttpResponse<String> health = send(server, "GET", "/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).path("status").asText()).isEqualTo("ok");
        HttpResponse<String> head = send(server, "HEAD", "/health", null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void readyUntilDrainingThen503WithRetryAfter() throws Exception {
        HttpResponse<String> ready = send(server, "GET", "/ready", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).path("status").asText()).isEqualTo("ready");
        server.hub().drain().get(10, java.util.concurrent.TimeUnit.SECONDS);
        HttpResponse<String> draining = send(server, "GET", "/ready", null);
        assertThat(draining.statusCode()).isEqualTo(503);
        assertThat(json(draining).path("status").asText()).isEqualTo("draining");
        assertThat(draining.headers().firstValue("Retry-After")).isPresent();
        assertThat(send(server, "GET", "/health", null).statusCode()).as("still alive").isEqualTo(200);
        assertThat(json(get("/api/stats")).path("draining").asBoolean()).isTrue();
    }

    @Test
    void metricsInPrometheusTextFormatCountConnections() throws Exception {
        HttpResponse<String> before = send(server, "GET", "/metrics", null);
        assertThat(before.statusCode()).isEqualTo(200);
        assertThat(before.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(before.body()).contains("# TYPE duplex_connects_total counter");
        assertThat(counter(before.body(), "duplex_connects_total")).isZero();
        client(null);
        client(token("ann"));
        HttpResponse<String> after = send(server, "GET", "/metrics", null);
        assertThat(counter(after.body(), "duplex_connects_total")).isEqualTo(2);
        assertThat(counter(after.body(), "duplex_connections")).isEqualTo(2);
    }

    private static double counter(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------ the API

    @Test
    void publishReachesSubscribersAndAnIdempotencyKeyMakesARetryADuplicate() throws Exception {
        TestHubClient bob = client(null);
        ServerMessage.Subscribed subscribed = bob.subscribe("lobby");

        HttpResponse<String> first = send(server, "POST", "/api/publish", "{\"channel\":\"lobby\",\"data\":{\"text\":\"hi\"}}",
                "Authorization", "apikey " + KEY, "Idempotency-Key", "order-42");
        JsonNode result = json(first);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(result.path("channel").asText()).isEqualTo("lobby");
        assertThat(result.path("offset").asLong()).isEqualTo(1);
        assertThat(result.path("epoch").asText()).isEqualTo(subscribed.epoch());
        assertThat(result.path("duplicate").asBoolean()).isFalse();

        HttpResponse<String> retry = send(server, "POST", "/api/publish", "{\"channel\":\"lobby\",\"data\":{\"text\":\"hi\"}}",
                "Authorization", "apikey " + KEY, "Idempotency-Key", "order-42");
        assertThat(json(retry).path("duplicate").asBoolean()).isTrue();
        assertThat(json(retry).path("offset").asLong()).isEqualTo(1);

        // The key may travel in the body too; another key is another publication.
        JsonNode other = json(post("/api/publish", "{\"channel\":\"lobby\",\"data\":\"again\",\"idempotencyKey\":\"order-43\"}"));
        assertThat(other.path("offset").asLong()).isEqualTo(2);
        assertThat(other.path("duplicate").asBoolean()).isFalse();

        Publication p = bob.expect(Publication.class);
        assertThat(p.offset()).isEqualTo(1);
        assertThat(p.data().path("text").asText()).isEqualTo("hi");
        assertThat(p.info()).as("published by the server: no publisher").isNull();
        assertThat(bob.expect(Publication.class).offset()).as("the duplicate was not delivered").isEqualTo(2);
    }

    @Test
    void broadcastPublishesToEachChannelAndReportsTheOnesItCannot() throws Exception {
        TestHubClient bob = client(null);
        bob.subscribe("a");
        bob.subscribe("short:b");
        JsonNode reply = json(post("/api/broadcast", "{\"channels\":[\"a\",\"short:b\",\"nope:c\"],\"data\":[1,2]}"));
        JsonNode results = reply.path("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).path("channel").asText()).isEqualTo("a");
        assertThat(results.get(0).path("offset").asLong()).isEqualTo(1);
        assertThat(results.get(1).path("channel").asText()).isEqualTo("short:b");
        assertThat(results.get(1).path("offset").asLong()).isEqualTo(1);
        assertThat(results.get(2).path("channel").asText()).isEqualTo("nope:c");
        assertThat(results.get(2).path("error").asText()).isEqualTo("No namespace is configured for channel 'nope:c'");
        assertThat(results.get(2).has("offset")).isFalse();
        List<String> got = List.of(bob.expect(Publication.class).channel(), bob.expect(Publication.class).channel());
        assertThat(got).containsExactlyInAnyOrder("a", "short:b");
    }

    @Test
    void presenceListsTheSubscribers() throws Exception {
        TestHubClient ann = client(token("ann"));
        TestHubClient anonymous = client(null);
        ann.subscribe("room");
        anonymous.subscribe("room");
        JsonNode presence = json(get("/api/presence?channel=room"));
        assertThat(presence.path("channel").asText()).isEqualTo("room");
        assertThat(presence.path("clients")).hasSize(2);
        List<String> users = presence.path("clients").findValuesAsText("user");
        assertThat(users).containsExactlyInAnyOrder("ann", "");
        assertThat(presence.path("clients").findValuesAsText("client"))
                .containsExactlyInAnyOrder(ann.clientId(), anonymous.clientId());
        assertThat(error(get("/api/presence"), 400)).isEqualTo("Missing query parameter \"channel\"");
        assertThat(error(get("/api/presence?channel=nope:x"), 400)).isEqualTo("No namespace is configured for channel 'nope:x'");
    }

    @Test
    void historyWithSinceAndLimitAnd409OutsideTheWindow() throws Exception {
        String epoch = null;
        for (int i = 1; i <= 5; i++) {
            epoch = json(post("/api/publish", "{\"channel\":\"short:log\",\"data\":" + i + "}")).path("epoch").asText();
        }
        JsonNode all = json(get("/api/history?channel=short:log"));
        assertThat(all.path("epoch").asText()).isEqualTo(epoch);
        assertThat(all.path("offset").asLong()).isEqualTo(5);
        assertThat(all.path("publications").findValuesAsText("offset")).as("history_size 3: the last three")
                .containsExactly("3", "4", "5");
        assertThat(all.path("publications").get(0).path("data").asInt()).isEqualTo(3);

        assertThat(json(get("/api/history?channel=short:log&limit=2")).path("publications").findValuesAsText("offset"))
                .containsExactly("3", "4");
        assertThat(json(get("/api/history?channel=short:log&since_offset=3&since_epoch=" + query(epoch)))
                .path("publications").findValuesAsText("offset")).containsExactly("4", "5");
        assertThat(json(get("/api/history?channel=short:log&since_offset=2&since_epoch=" + query(epoch)))
                .path("publications").findValuesAsText("offset")).as("right at the window's edge").containsExactly("3", "4", "5");

        assertThat(error(get("/api/history?channel=short:log&since_offset=1&since_epoch=" + query(epoch)), 409))
                .isEqualTo("That position is no longer in history; the stream is at epoch " + epoch + ", offset 5");
        assertThat(error(get("/api/history?channel=short:log&since_offset=4&since_epoch=another"), 409))
                .contains("no longer in history");
        assertThat(error(get("/api/history?channel=short:log&since_offset=4"), 400))
                .isEqualTo("Missing query parameter \"since_epoch\"");
        assertThat(error(get("/api/history?channel=short:log&limit=many"), 400))
                .isEqualTo("Query parameter \"limit\" must be a non-negative integer, not 'many'");
    }

    @Test
    void disconnectEndsEveryConnectionOfAUserWith3502Or3008() throws Exception {
        TestHubClient ann = client(token("ann"));
        TestHubClient annAgain = client(token("ann"));
        TestHubClient bob = client(token("bob"));
        JsonNode reply = json(post("/api/disconnect", "{\"user\":\"ann\",\"reason\":\"banned\"}"));
        assertThat(reply.path("user").asText()).isEqualTo("ann");
        assertThat(reply.path("disconnected").asInt()).isEqualTo(2);
        for (TestHubClient c : List.of(ann, annAgain)) {
            ServerMessage.Disconnect d = c.expect(ServerMessage.Disconnect.class);
            assertThat(d.code()).isEqualTo(3502);
            assertThat(d.reason()).isEqualTo("banned");
            assertThat(d.reconnect()).isFalse();
            assertThat(c.awaitClose()).isEqualTo(3502);
        }
        bob.roundTrip(); // untouched

        JsonNode again = json(post("/api/disconnect", "{\"user\":\"bob\",\"reconnect\":true}"));
        assertThat(again.path("disconnected").asInt()).isEqualTo(1);
        ServerMessage.Disconnect d = bob.expect(ServerMessage.Disconnect.class);
        assertThat(d.code()).isEqualTo(3008);
        assertThat(d.reconnect()).isTrue();
        assertThat(bob.awaitClose()).isEqualTo(3008);

        assertThat(json(post("/api/disconnect", "{\"user\":\"nobody\"}")).path("disconnected").asInt()).isZero();
        assertThat(error(post("/api/disconnect", "{\"reconnect\":true}"), 400)).isEqualTo("Missing field \"user\"");
    }

    @Test
    void channelsAndStats() throws Exception {
        TestHubClient ann = client(token("ann"));
        TestHubClient bob = client(null);
        ann.subscribe("x");
        bob.subscribe("x");
        bob.subscribe("short:y");
        JsonNode channels = json(get("/api/channels")).path("channels");
        assertThat(channels.path("x").asInt()).isEqualTo(2);
        assertThat(channels.path("short:y").asInt()).isEqualTo(1);
        assertThat(channels.size()).isEqualTo(2);

        JsonNode stats = json(get("/api/stats"));
        assertThat(stats.path("connections").asInt()).isEqualTo(2);
        assertThat(stats.path("channels").asInt()).isEqualTo(2);
        assertThat(stats.path("draining").asBoolean()).isFalse();
        assertThat(stats.path("queuedBytes").isNumber()).isTrue();
        assertThat(stats.path("connectionDetails").findValuesAsText("client"))
                .containsExactlyInAnyOrder(ann.clientId(), bob.clientId());
        assertThat(stats.path("connectionDetails").findValuesAsText("user")).containsExactlyInAnyOrder("ann", "");
    }

    // ------------------------------------------------------------------ errors

    @Test
    void theApiNeedsTheKey() throws Exception {
        HttpResponse<String> none = send(server, "GET", "/api/stats", null);
        assertThat(error(none, 401)).isEqualTo("Send the API key as 'Authorization: apikey KEY'");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("apikey");
        assertThat(error(send(server, "GET", "/api/stats", null, "Authorization", "apikey wrong-key-0123456789"), 401))
                .contains("API key");
        assertThat(error(send(server, "GET", "/api/stats", null, "Authorization", "apikey"), 401)).contains("API key");
        assertThat(error(send(server, "POST", "/api/publish", "{\"channel\":\"a\",\"data\":1}",
                "Authorization", "Basic " + KEY), 401)).contains("API key");
        assertThat(send(server, "GET", "/api/stats", null, "Authorization", "Bearer " + KEY).statusCode()).isEqualTo(200);
        assertThat(send(server, "GET", "/api/stats", null, "Authorization", "APIKEY " + KEY).statusCode())
                .as("the scheme is case-insensitive").isEqualTo(200);
    }

    @Test
    void withoutAnApiKeyTheApiIsOff() throws Exception {
        HubServer off = start(config().build());
        HttpResponse<String> reply = send(off, "POST", "/api/publish", "{\"channel\":\"a\",\"data\":1}",
                "Authorization", "apikey " + KEY);
        assertThat(error(reply, 404)).isEqualTo("The HTTP API is off: configure an API key (api_key) to turn it on");
        assertThat(send(off, "GET", "/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void wrongMethodsAre405WithAllow() throws Exception {
        HttpResponse<String> getPublish = get("/api/publish");
        assertThat(error(getPublish, 405)).isEqualTo("Use POST with a JSON body");
        assertThat(getPublish.headers().firstValue("Allow")).hasValue("POST");
        HttpResponse<String> postStats = post("/api/stats", "{}");
        assertThat(error(postStats, 405)).isEqualTo("Use GET");
        assertThat(postStats.headers().firstValue("Allow")).hasValue("GET, HEAD");
        HttpResponse<String> postHealth = send(server, "POST", "/health", "{}");
        assertThat(postHealth.statusCode()).isEqualTo(405);
        assertThat(postHealth.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(error(send(server, "DELETE", "/api/disconnect", null, "Authorization", "apikey " + KEY), 405))
                .isEqualTo("Use POST with a JSON body");
    }

    @Test
    void badRequestsSayWhichFieldIsWrong() throws Exception {
        assertThat(error(post("/api/publish", "{\"channel\":"), 400)).startsWith("The request body is not valid JSON: ");
        assertThat(error(post("/api/publish", "[1,2]"), 400)).isEqualTo("The request body must be a JSON object");
        assertThat(error(send(server, "POST", "/api/publish", null, "Authorization", "apikey " + KEY), 400))
                .isEqualTo("Send a JSON object as the request body");
        assertThat(error(post("/api/publish", "{\"data\":1}"), 400)).isEqualTo("Missing field \"channel\"");
        assertThat(error(post("/api/publish", "{\"channel\":\"a\"}"), 400)).isEqualTo("Missing field \"data\"");
        assertThat(error(post("/api/publish", "{\"channel\":7,\"data\":1}"), 400)).isEqualTo("Field \"channel\" must be a string");
        assertThat(error(post("/api/publish", "{\"channel\":\"a\",\"data\":1,\"idempotencyKey\":5}"), 400))
                .isEqualTo("Field \"idempotencyKey\" must be a string");
        assertThat(error(post("/api/publish", "{\"channel\":\"nope:a\",\"data\":1}"), 400))
                .isEqualTo("No namespace is configured for channel 'nope:a'");
        assertThat(error(post("/api/broadcast", "{\"channels\":\"a\",\"data\":1}"), 400))
                .isEqualTo("Field \"channels\" must be a non-empty array of channel names");
        assertThat(error(post("/api/broadcast", "{\"channels\":[],\"data\":1}"), 400))
                .isEqualTo("Field \"channels\" must be a non-empty array of channel names");
        assertThat(error(post("/api/broadcast", "{\"channels\":[\"a\",3],\"data\":1}"), 400))
                .isEqualTo("Field \"channels\" must hold strings");
        assertThat(error(post("/api/broadcast", "{\"channels\":[\"a\"]}"), 400)).isEqualTo("Missing field \"data\"");
        assertThat(error(post("/api/disconnect", "{\"user\":\"ann\",\"reason\":3}"), 400))
                .isEqualTo("Field \"reason\" must be a string");
    }

    @Test
    void idempotencyKeysUsersReasonsAndChannelListsAreBounded() throws Exception {
        String big = "k".repeat(100_000);
        HttpResponse<String> header = send(server, "POST", "/api/publish", "{\"channel\":\"a\",\"data\":{}}",
                "Authorization", "apikey " + KEY, "Idempotency-Key", "k".repeat(1_000));
        assertThat(error(header, 400)).isEqualTo("Header \"Idempotency-Key\" must be at most 256 bytes of UTF-8");
        assertThat(error(post("/api/publish", "{\"channel\":\"a\",\"data\":{},\"idempotencyKey\":\"" + big + "\"}"), 400))
                .isEqualTo("Field \"idempotencyKey\" must be at most 256 bytes of UTF-8");
        assertThat(error(post("/api/disconnect", "{\"user\":\"" + big + "\"}"), 400))
                .isEqualTo("Field \"user\" must be at most 256 bytes of UTF-8");
        assertThat(error(post("/api/disconnect", "{\"user\":\"ann\",\"reason\":\"" + "r".repeat(200) + "\"}"), 400))
                .isEqualTo("Field \"reason\" must be at most 123 bytes of UTF-8 (it travels in a close frame)");
        StringBuilder channels = new StringBuilder("{\"data\":1,\"channels\":[");
        for (int i = 0; i <= 1_000; i++) {
            channels.append(i == 0 ? "" : ",").append("\"c").append(i).append('"');
        }
        assertThat(error(post("/api/broadcast", channels.append("]}").toString()), 400))
                .isEqualTo("Field \"channels\" must hold at most 1000 channels");
        assertThat(json(get("/api/history?channel=a")).path("offset").asLong()).as("nothing was published").isZero();
    }

    @Test
    void dataNestedDeeperThanTheHubProtocolAllowsIsRefused() throws Exception {
        String deep = "[".repeat(70) + "]".repeat(70);
        assertThat(error(post("/api/publish", "{\"channel\":\"a\",\"data\":" + deep + "}"), 400))
                .startsWith("The request body is not valid JSON: ").contains("64");
    }

    @Test
    void channelNamesFollowTheWebSocketRules() throws Exception {
        assertThat(error(post("/api/publish", "{\"channel\":\"\",\"data\":1}"), 400)).isEqualTo("Field \"channel\" must not be empty");
        assertThat(error(post("/api/publish", "{\"channel\":\"a b\",\"data\":1}"), 400))
                .isEqualTo("Field \"channel\" must not contain spaces or control characters");
        assertThat(error(post("/api/publish", "{\"channel\":\"" + "c".repeat(256) + "\",\"data\":1}"), 400))
                .isEqualTo("Field \"channel\" is longer than 255 characters");
        assertThat(error(get("/api/presence?channel=a%0Ab"), 400))
                .isEqualTo("Query parameter \"channel\" must not contain spaces or control characters");
        assertThat(error(get("/api/history?channel="), 400)).isEqualTo("Missing query parameter \"channel\"");
        // A bad name anywhere in a broadcast publishes nothing.
        assertThat(error(post("/api/broadcast", "{\"channels\":[\"ok\",\"not ok\"],\"data\":1}"), 400))
                .isEqualTo("Each of \"channels\" must not contain spaces or control characters");
        assertThat(json(post("/api/publish", "{\"channel\":\"ok\",\"data\":1}")).path("offset").asLong()).isEqualTo(1);
    }

    @Test
    void dataLargerThanTheNamespaceAllowsIsRefused() throws Exception {
        String big = "\"" + "x".repeat(20) + "\"";
        assertThat(error(post("/api/publish", "{\"channel\":\"tiny:a\",\"data\":" + big + "}"), 413))
                .isEqualTo("The data is 22 bytes; tiny:a allows 16");
        JsonNode results = json(post("/api/broadcast", "{\"channels\":[\"a\",\"tiny:b\"],\"data\":" + big + "}")).path("results");
        assertThat(results.get(0).path("offset").asLong()).isEqualTo(1);
        assertThat(results.get(1).path("error").asText()).isEqualTo("The data is 22 bytes; tiny:b allows 16");
        assertThat(json(post("/api/publish", "{\"channel\":\"tiny:a\",\"data\":\"small\"}")).path("offset").asLong())
                .isEqualTo(1);
    }

    @Test
    void offsetsAreLongsAndFlagsBooleans() throws Exception {
        String epoch = json(post("/api/publish", "{\"channel\":\"log\",\"data\":1}")).path("epoch").asText();
        assertThat(error(get("/api/history?channel=log&since_offset=99999999999&since_epoch=" + query(epoch)), 409))
                .contains("no longer in history");
        assertThat(error(get("/api/history?channel=log&since_offset=-1&since_epoch=" + query(epoch)), 400))
                .isEqualTo("Query parameter \"since_offset\" must be a non-negative integer, not '-1'");
        assertThat(json(get("/api/history?channel=log&limit=99999999999")).path("publications")).hasSize(1);
        assertThat(error(post("/api/disconnect", "{\"user\":\"ann\",\"reconnect\":\"yes\"}"), 400))
                .isEqualTo("Field \"reconnect\" must be true or false");
    }

    @Test
    void unknownPathsAndOperationsAre404() throws Exception {
        assertThat(error(send(server, "GET", "/nothing-here", null), 404))
                .isEqualTo("Nothing at /nothing-here; the hub serves /connect (WebSocket), /health, /ready, /metrics and /api/…");
        assertThat(error(get("/api/frobnicate"), 404)).startsWith("No API operation 'frobnicate'");
    }
}
