package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Plain HTTP requests on the WebSocket server's port: {@link WebSocketServer#http}. */
class PlainHttpTest {
    private static final int MAX_BODY = 10_000;
    private static final AtomicInteger calls = new AtomicInteger();
    private static final AtomicInteger countCalls = new AtomicInteger();

    private static WebSocketServer server;
    private static ExecutorService clientThreads;
    private static HttpClient http;

    /** The main server's handler: one case per test. */
    /** Waits up to 20 s inside a handler (which may not throw checked exceptions); an interrupt stays set. */
    private static boolean await(java.util.concurrent.CountDownLatch latch) {
        try {
            return latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting", e);
        }
    }

    private static HttpReply route(HttpCall call) {
        calls.incrementAndGet();
        return switch (call.path()) {
            case "/hello" -> HttpReply.text(200, "hello");
            case "/query" -> HttpReply.text(200, "name=" + call.queryParameter("name") + "|tags=" + call.queryParameters("tag")
                    + "|flag=" + call.queryParameter("flag") + "|missing=" + call.queryParameter("missing"));
            case "/echo-body" -> call.method().equals("POST")
                    ? HttpReply.json(200, call.bodyText()).withHeader("X-Body-Length", String.valueOf(call.bodyLength()))
                    : HttpReply.text(405, "POST only").withHeader("Allow", "POST");
            case "/headers" -> HttpReply.text(200, "multi=" + call.headerValues("x-multi") + "|single=" + call.header("X-SINGLE")
                    + "|loopback=" + ((InetSocketAddress) call.remoteAddress()).getAddress().isLoopbackAddress());
            case "/fail" -> throw new IllegalStateException("handler bug");
            case "/null" -> null;
            case "/count" -> HttpReply.text(200, "count=" + countCalls.incrementAndGet());
            case "/slow" -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                yield HttpReply.text(200, "slow");
            }
            default -> HttpReply.text(404, "No page at " + call.path());
        };
    }

    @BeforeAll
    static void start() {
        server = WebSocketServer.builder()
                .route("/echo", TestServers.ECHO)
                .http(PlainHttpTest::route)
                .options(WebSocketOptions.defaults().withMaxHttpBodyBytes(MAX_BODY))
                .startOnLoopback(0);
        clientThreads = Executors.newCachedThreadPool();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> server.connectionCount() == 0))
                    .as("connections left open: %d", server.connectionCount()).isTrue();
        } finally {
            server.close();
            clientThreads.shutdownNow();
        }
    }

    private static URI uri(WebSocketServer s, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + s.port() + pathAndQuery);
    }

    private static HttpResponse<String> get(WebSocketServer s, String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(s, pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A response read off a raw socket: the head (through the blank line) and the body bytes. */
    private record Raw(String head, byte[] body) {
        static Raw of(byte[] all) {
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            assertThat(end).as("a complete response head in: %s", text).isPositive();
            return new Raw(text.substring(0, end + 4), java.util.Arrays.copyOfRange(all, end + 4, all.length));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Sends {@code request} on a fresh socket and reads until the server closes it. */
    private static Raw exchange(WebSocketServer s, String request) throws Exception {
        try (RawClient raw = new RawClient(s.port())) {
            raw.send(request.getBytes(StandardCharsets.UTF_8));
            return Raw.of(raw.readToEnd());
        }
    }

    // ------------------------------------------------------------ requests and replies

    @Test
    void getWithQueryParameters() throws Exception {
        HttpResponse<String> response = get(server, "/query?name=J%C3%BCrgen+X&tag=a&tag=b%2Cc&flag");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("name=Jürgen X|tags=[a, b,c]|flag=|missing=null");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    }

    @Test
    void postedJsonIsEchoed() throws Exception {
        String json = "{\"room\":\"lobby\",\"text\":\"grüß dich\",\"n\":[1,2,3]}";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(server, "/echo-body"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(json);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("X-Body-Length"))
                .hasValue(String.valueOf(json.getBytes(StandardCharsets.UTF_8).length));
    }

    @Test
    void aDefaultClientsH2cUpgradeOfferIsIgnored() throws Exception {
        // The JDK client offers "Upgrade: h2c" on its first http:// request: not a WebSocket upgrade.
        HttpClient h2 = HttpClient.newBuilder().executor(clientThreads).build();
        HttpResponse<String> response = h2.send(HttpRequest.newBuilder(uri(server, "/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello");
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void replyCarriesLengthDateAndConnectionCloseThenTheConnectionCloses() throws Exception {
        Raw response = exchange(server, "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(response.head()).startsWith("HTTP/1.1 200 OK\r\n")
                .contains("Content-Type: text/plain; charset=utf-8\r\n", "Content-Length: 5\r\n",
                        "Connection: close\r\n", "Date: ")
                .endsWith("\r\n\r\n");
        assertThat(response.bodyText()).isEqualTo("hello"); // and readToEnd returned: the server closed
    }

    @Test
    void headersAreCaseInsensitiveWithEveryValueAndTheRemoteAddressIsKnown() throws Exception {
        Raw response = exchange(server, "GET /headers HTTP/1.1\r\nHost: localhost\r\nX-Multi: 1\r\nx-multi: 2\r\n"
                + "x-single: s\r\n\r\n");
        assertThat(response.bodyText()).isEqualTo("multi=[1, 2]|single=s|loopback=true");
    }

    @Test
    void headGetsTheHeadersWithoutTheBody() throws Exception {
        Raw response = exchange(server, "HEAD /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(response.head()).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 5\r\n",
                "Content-Type: text/plain; charset=utf-8\r\n");
        assertThat(response.body()).isEmpty();

        HttpResponse<String> viaClient = http.send(HttpRequest.newBuilder(uri(server, "/hello"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(viaClient.statusCode()).isEqualTo(200);
        assertThat(viaClient.body()).isEmpty();
        assertThat(viaClient.headers().firstValue("Content-Length")).hasValue("5");
    }

    @Test
    void requestTargetForms() throws Exception {
        assertThat(exchange(server, "GET http://localhost/query?name=abs HTTP/1.1\r\nHost: localhost\r\n\r\n").bodyText())
                .startsWith("name=abs|");
        assertThat(exchange(server, "GET /hello HTTP/1.0\r\n\r\n").bodyText()).isEqualTo("hello");
        assertThat(exchange(server, "GET /hello HTTP/1.1\r\n\r\n").head()).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(exchange(server, "GET /hello HTTP/2.0\r\nHost: localhost\r\n\r\n").head())
                .startsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n");
        assertThat(exchange(server, "GET hello HTTP/1.1\r\nHost: localhost\r\n\r\n").head())
                .startsWith("HTTP/1.1 400 Bad Request\r\n");
    }

    // ------------------------------------------------------------ bodies

    @Test
    void bodySplitAcrossWritesWithPauses() throws Exception {
        byte[] body = "{\"parts\":[\"one\",\"two\",\"three\"],\"ü\":true}".getBytes(StandardCharsets.UTF_8);
        try (RawClient raw = new RawClient(server.port())) {
            raw.send("POST /echo-body HTTP/1.1\r\nHost: localhost\r\nContent-Le");
            Thread.sleep(100);
            raw.send("ngth: " + body.length + "\r\n\r\n");
            Thread.sleep(100);
            raw.send(java.util.Arrays.copyOfRange(body, 0, 7));
            Thread.sleep(150);
            raw.send(java.util.Arrays.copyOfRange(body, 7, 20));
            Thread.sleep(150);
            raw.send(java.util.Arrays.copyOfRange(body, 20, body.length));
            Raw response = Raw.of(raw.readToEnd());
            assertThat(response.head()).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: " + body.length + "\r\n");
            assertThat(response.body()).isEqualTo(body);
        }
    }

    @Test
    void bodyOfExactlyTheLimitIsAcceptedAndOneByteMoreIs413() throws Exception {
        byte[] atLimit = "x".repeat(MAX_BODY).getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri(server, "/echo-body"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(atLimit)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).hasSize(MAX_BODY);

        int before = calls.get();
        try (RawClient raw = new RawClient(server.port())) {
            // Refused on the head alone: the body is never waited for.
            raw.send("POST /echo-body HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n");
            Raw response = Raw.of(raw.readToEnd());
            assertThat(response.head()).startsWith("HTTP/1.1 413 Content Too Large\r\n")
                    .contains("Content-Type: text/plain; charset=utf-8\r\n", "Connection: close\r\n");
            assertThat(response.bodyText()).contains(String.valueOf(MAX_BODY + 1), String.valueOf(MAX_BODY));
        }
        assertThat(calls.get()).as("the handler must not see a refused request").isEqualTo(before);
    }

    @Test
    void chunkedBodyIs411() throws Exception {
        int before = calls.get();
        Raw response = exchange(server, "POST /echo-body HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n");
        assertThat(response.head()).startsWith("HTTP/1.1 411 Length Required\r\n");
        assertThat(response.bodyText()).contains("Content-Length");
        assertThat(calls.get()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "+5", "5, 6", "1 2", "", "99999999999999999999"})
    void invalidContentLengthIs400(String value) throws Exception {
        int before = calls.get();
        Raw response = exchange(server, "POST /echo-body HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + value
                + "\r\n\r\nhello");
        assertThat(response.head()).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(response.bodyText()).contains("Content-Length");
        assertThat(calls.get()).isEqualTo(before);
    }

    @Test
    void repeatedEqualContentLengthsAreOneLength() throws Exception {
        Raw response = exchange(server, "POST /echo-body HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                + "Content-Length: 5\r\n\r\nhello");
        assertThat(response.head()).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(response.bodyText()).isEqualTo("hello");
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBody() throws Exception {
        try (RawClient raw = new RawClient(server.port())) {
            raw.send("POST /echo-body HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(raw.readHead()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            raw.send("hello");
            Raw response = Raw.of(raw.readToEnd());
            assertThat(response.head()).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(response.bodyText()).isEqualTo("hello");
        }
    }

    @Test
    void bytesAfterTheBodyAreNotReadAsAnotherRequest() throws Exception {
        int before = countCalls.get();
        String one = "GET /count HTTP/1.1\r\nHost: localhost\r\n\r\n";
        Raw response = exchange(server, one + one + one);
        assertThat(response.bodyText()).isEqualTo("count=" + (before + 1)); // one response, then the server closed
        assertThat(new String(response.body(), StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
        Thread.sleep(100);
        assertThat(countCalls.get()).isEqualTo(before + 1);
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheAnswer() throws Exception {
        try (RawClient raw = new RawClient(server.port())) {
            raw.send("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n");
            raw.shutdownOutput();
            Raw response = Raw.of(raw.readToEnd());
            assertThat(response.head()).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(response.bodyText()).isEqualTo("slow");
        }
    }

    // ------------------------------------------------------------ handler failures

    @Test
    void handlerExceptionIs500AndTheLogHasThePathButNotTheQuery() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger("dev.duplex.websocket");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(new SimpleFormatter().formatMessage(record));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try {
            HttpResponse<String> failed = get(server, "/fail?token=s3cret-value");
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.body()).isEqualTo("Internal server error\n").doesNotContain("handler bug");

            HttpResponse<String> nothing = get(server, "/null?token=s3cret-value");
            assertThat(nothing.statusCode()).isEqualTo(500);
            assertThat(nothing.body()).isEqualTo("Internal server error\n");
        } finally {
            jul.removeHandler(capture);
        }
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains("GET /fail");
        assertThat(warnings.get(1)).contains("GET /null", "null");
        assertThat(String.join("\n", warnings)).doesNotContain("s3cret", "token");
    }

    @Test
    void replyHeadersCannotBeInjected() {
        HttpReply ok = HttpReply.text(200, "x");
        assertThatThrownBy(() -> ok.withHeader("X-A", "a\r\nSet-Cookie: evil=1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withHeader("X-A", "a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withAddedHeader("X-A\r\nSet-Cookie", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withHeader("X A", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withHeader("X-A", "nul\0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpReply.bytes(200, "text/html\r\nX-Evil: 1", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withHeader("Content-Length", "0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withHeader("transfer-encoding", "chunked")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withHeader("Connection", "keep-alive")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpReply.empty(101)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpReply.text(204, "body")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpReply.empty(600)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void replyValues() {
        HttpReply reply = HttpReply.text(201, "made")
                .withHeader("Content-Type", "text/html; charset=utf-8")
                .withAddedHeader("Set-Cookie", "a=1")
                .withAddedHeader("Set-Cookie", "b=2")
                .withHeader("x-trace", "1")
                .withHeader("X-Trace", "2");
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.reasonPhrase()).isEqualTo("Created");
        assertThat(reply.headers()).containsExactly(Map.entry("Content-Type", "text/html; charset=utf-8"),
                Map.entry("Set-Cookie", "a=1"), Map.entry("Set-Cookie", "b=2"), Map.entry("X-Trace", "2"));
        assertThat(reply.header("content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(reply.bodyLength()).isEqualTo(4);
        assertThat(reply.body().isReadOnly()).isTrue();
        assertThat(HttpReply.empty(418).reasonPhrase()).isEqualTo("Client Error");

        byte[] source = {1, 2, 3};
        HttpReply bytes = HttpReply.bytes(200, "application/octet-stream", source);
        source[0] = 9;
        assertThat(bytes.body().get(0)).as("the body is copied").isEqualTo((byte) 1);
    }

    @Test
    void callDecodesTheQueryAndKeepsItOutOfToString() {
        HttpCall call = new HttpCall("GET", "/p", "a=%41%42&b=x+y&c=%zz&c=%4&&d&=e&f=%E2%82%AC", Map.of("X-A", List.of("1")),
                null, null);
        assertThat(call.queryParameter("a")).isEqualTo("AB");
        assertThat(call.queryParameter("b")).isEqualTo("x y");
        assertThat(call.queryParameters("c")).containsExactly("%zz", "%4");
        assertThat(call.queryParameter("d")).isEmpty();
        assertThat(call.queryParameter("")).isEqualTo("e");
        assertThat(call.queryParameter("f")).isEqualTo("€");
        assertThat(call.queryParameter("nope")).isNull();
        assertThat(call.header("x-a")).isEqualTo("1");
        assertThat(call.bodyLength()).isZero();
        assertThat(call.toString()).isEqualTo("GET /p").doesNotContain("a=");
    }

    // ------------------------------------------------------------ WebSocket on the same port

    @Test
    void webSocketUpgradesStillGoToTheRoutes() throws Exception {
        int before = calls.get();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder recorder = new TestServers.Recorder();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), recorder)
                    .get(5, TimeUnit.SECONDS);
            assertThat(recorder.next()).isEqualTo("open");
            ws.sendText("hi");
            assertThat(recorder.next()).isEqualTo("text:hi");
            ws.close(1000, "done");
            assertThat(recorder.nextStartingWith("close:")).startsWith("close:1000");
        }
        // An upgrade to a path without a route is refused as without a handler; a plain GET of the route's path goes to the handler.
        assertThat(exchange(server, RawClient.upgrade("/nothing")).head()).startsWith("HTTP/1.1 404 ");
        assertThat(calls.get()).isEqualTo(before);
        assertThat(exchange(server, "GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n").bodyText()).isEqualTo("No page at /echo");
    }

    @Test
    void aBlockingHandlerDoesNotBlockTheEventLoop() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (WebSocketServer one = WebSocketServer.builder().eventLoops(1)
                .route("/echo", TestServers.ECHO)
                .http(call -> {
                    if (call.path().equals("/block")) {
                        entered.countDown();
                        return await(release) ? HttpReply.text(200, "released") : HttpReply.text(500, "stuck");
                    }
                    return HttpReply.text(200, "hello");
                })
                .startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            CompletableFuture<HttpResponse<String>> blocked = http.sendAsync(
                    HttpRequest.newBuilder(uri(one, "/block")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

            // The only event loop keeps serving WebSocket traffic and other HTTP requests meanwhile.
            TestServers.Recorder recorder = new TestServers.Recorder();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + one.port() + "/echo"), recorder).get(5, TimeUnit.SECONDS);
            assertThat(recorder.next()).isEqualTo("open");
            for (int i = 0; i < 3; i++) {
                ws.sendText("echo " + i);
                assertThat(recorder.next()).isEqualTo("text:echo " + i);
            }
            assertThat(get(one, "/hello").body()).isEqualTo("hello");
            assertThat(blocked).isNotDone();

            release.countDown();
            HttpResponse<String> answered = blocked.get(10, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.body()).isEqualTo("released");
            ws.close(1000, "done");
        } finally {
            release.countDown();
        }
    }

    // ------------------------------------------------------------ timeouts, admission, shutdown

    @Test
    void aSlowRequestIs408AfterTheHandshakeTimeout() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        try (WebSocketServer slow = WebSocketServer.builder()
                .route("/echo", TestServers.ECHO)
                .http(call -> {
                    handled.incrementAndGet();
                    return HttpReply.text(200, "late");
                })
                .options(WebSocketOptions.defaults().withHandshakeTimeout(Duration.ofMillis(300)))
                .startOnLoopback(0);
                RawClient raw = new RawClient(slow.port())) {
            raw.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nabc");
            long started = System.nanoTime();
            Raw response = Raw.of(raw.readToEnd());
            assertThat(response.head()).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("Connection: close\r\n");
            assertThat(response.bodyText()).contains("request body did not arrive within 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
            assertThat(handled).hasValue(0);
            assertThat(slow.rejectedHandshakes()).isEqualTo(1);
        }
    }

    @Test
    void aRequestHoldsItsPendingHandshakeSlotUntilAnsweredAndReleasesItOnce() throws Exception {
        CountDownLatch gateEntered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch blockEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (WebSocketServer limited = WebSocketServer.builder()
                .route("/echo", TestServers.ECHO)
                .options(WebSocketOptions.defaults().withMaxPendingHandshakes(1).withMaxHttpBodyBytes(4))
                .http(call -> switch (call.path()) {
                    case "/gate" -> {
                        gateEntered.countDown();
                        await(gate);
                        yield HttpReply.text(200, "gate");
                    }
                    case "/block" -> {
                        blockEntered.countDown();
                        await(release);
                        yield HttpReply.text(200, "released");
                    }
                    case "/fail" -> throw new IllegalStateException("expected by the test");
                    default -> HttpReply.text(200, "ok");
                })
                .startOnLoopback(0)) {
            String host = " HTTP/1.1\r\nHost: localhost\r\n";
            // Every way a request can end gives its slot back exactly once.
            for (int i = 0; i < 3; i++) {
                assertThat(exchange(limited, "GET /ok" + host + "\r\n").head()).startsWith("HTTP/1.1 200 ");
            }
            assertThat(exchange(limited, "POST /ok" + host + "Content-Length: 5\r\n\r\nhello").head()).startsWith("HTTP/1.1 413 ");
            assertThat(exchange(limited, "GET /fail" + host + "\r\n").head()).startsWith("HTTP/1.1 500 ");
            try (RawClient leaving = new RawClient(limited.port())) {
                leaving.send("GET /gate" + host + "\r\n");
                assertThat(gateEntered.await(10, TimeUnit.SECONDS)).isTrue();
            } // closed while the handler runs
            gate.countDown();
            assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> limited.connectionCount() == 0)).isTrue();

            // With one request at the handler, the single slot is taken: had any slot above been released twice, this would be admitted.
            try (RawClient blocked = new RawClient(limited.port())) {
                blocked.send("GET /block" + host + "\r\n");
                assertThat(blockEntered.await(10, TimeUnit.SECONDS)).isTrue();
                try (RawClient second = new RawClient(limited.port())) {
                    second.send("GET /ok" + host + "\r\n");
                    assertThat(Raw.of(second.readToEnd()).head()).startsWith("HTTP/1.1 503 ");
                }
                release.countDown();
                Raw answered = Raw.of(blocked.readToEnd());
                assertThat(answered.bodyText()).isEqualTo("released");
            }
            // And once answered, the slot is free again.
            try (WebSocketClient client = WebSocketClient.builder().build()) {
                WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + limited.port() + "/echo"), new WebSocketListener() { })
                        .get(5, TimeUnit.SECONDS);
                ws.close(1000, "done");
            }
        } finally {
            gate.countDown();
            release.countDown();
        }
    }

    @Test
    void closeLetsARunningHandlerAnswerThenStopsTheHttpThreads() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> handlerThread = new java.util.concurrent.atomic.AtomicReference<>();
        WebSocketServer closing = WebSocketServer.builder()
                .route("/echo", TestServers.ECHO)
                .http(call -> {
                    handlerThread.set(Thread.currentThread());
                    entered.countDown();
                    await(release);
                    return HttpReply.text(200, "finished");
                })
                .options(WebSocketOptions.defaults().withCloseTimeout(Duration.ofSeconds(5)))
                .startOnLoopback(0);
        Thread closer = new Thread(closing::close, "closer");
        try (RawClient raw = new RawClient(closing.port())) {
            raw.send("GET /work HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            closer.start();
            Thread.sleep(200);
            assertThat(closer.isAlive()).as("close() waits for the request with the handler").isTrue();
            release.countDown();
            Raw response = Raw.of(raw.readToEnd());
            assertThat(response.head()).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(response.bodyText()).isEqualTo("finished");
        } finally {
            release.countDown();
            if (!closer.isAlive() && closer.getState() == Thread.State.NEW) {
                closing.close();
            }
        }
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        Thread worker = handlerThread.get();
        assertThat(worker.getName()).startsWith("duplex-http-");
        assertThat(worker.isDaemon()).isTrue();
        worker.join(5_000);
        assertThat(worker.isAlive()).as("the server's HTTP pool is stopped by close()").isFalse();
    }

    @Test
    void aServerMayServeHttpOnly() throws Exception {
        try (WebSocketServer httpOnly = WebSocketServer.builder().http(call -> HttpReply.text(200, "only http")).startOnLoopback(0)) {
            assertThat(get(httpOnly, "/").body()).isEqualTo("only http");
            assertThat(exchange(httpOnly, RawClient.upgrade("/ws")).head()).startsWith("HTTP/1.1 404 ");
        }
        assertThatThrownBy(() -> WebSocketServer.builder().startOnLoopback(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theDocsExample() throws Exception {
        WebSocketListener listener = TestServers.ECHO;
        // docs/library.md: plain HTTP on the same port (DocsExamplesTest in duplex-server compares them)
        WebSocketServer server = WebSocketServer.builder()
                .route("/events", listener)
                .http(call -> switch (call.path()) {
                    case "/health" -> HttpReply.text(200, "ok\n");
                    case "/api/echo" -> HttpReply.json(200, call.bodyText());
                    default -> HttpReply.text(404, "Not found\n");
                })
                .start(0);
        try {
            assertThat(get(server, "/health").body()).isEqualTo("ok\n");
            HttpResponse<String> echoed = http.send(HttpRequest.newBuilder(uri(server, "/api/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(echoed.body()).isEqualTo("{\"a\":1}");
            assertThat(get(server, "/else").statusCode()).isEqualTo(404);
        } finally {
            server.close();
        }
    }
}
