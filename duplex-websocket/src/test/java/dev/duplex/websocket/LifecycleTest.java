package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Opening, heartbeats, timeouts and closing, with our client against our server. */
class LifecycleTest {

    private static URI uri(WebSocketServer server, String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    @Test
    void closeHandshakeReportsThePeersCodeOnBothSides() throws Exception {
        TestServers.Recorder serverSide = new TestServers.Recorder();
        try (WebSocketServer server = WebSocketServer.builder().route("/r", serverSide).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder clientSide = new TestServers.Recorder();
            WebSocket ws = client.connect(uri(server, "/r"), clientSide).get();
            assertThat(ws.isOpen()).isTrue();
            assertThat(serverSide.next()).isEqualTo("open");
            ws.close(4000, "done here");
            assertThat(serverSide.next()).isEqualTo("close:4000:done here");
            assertThat(clientSide.nextStartingWith("close:")).isEqualTo("close:4000:");
            assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> ws.isClosed())).isTrue();
            assertThat(ws.sendText("too late")).isFalse();
        }
    }

    @Test
    void gracefulShutdownSends1001ToEveryClient() throws Exception {
        WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO).startOnLoopback(0);
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder[] recorders = new TestServers.Recorder[5];
            for (int i = 0; i < recorders.length; i++) {
                recorders[i] = new TestServers.Recorder();
                client.connect(uri(server, "/echo"), recorders[i]).get();
            }
            server.close(Duration.ofSeconds(5));
            for (TestServers.Recorder recorder : recorders) {
                assertThat(recorder.nextStartingWith("close:")).isEqualTo("close:1001:Server shutting down");
            }
            assertThat(server.connectionCount()).isZero();
        }
    }

    @Test
    void serverPingsAnIdleClientAndKeepsItWhileItAnswers() throws Exception {
        WebSocketOptions options = WebSocketOptions.defaults()
                .withPingInterval(Duration.ofMillis(100))
                .withPongTimeout(Duration.ofMillis(300));
        TestServers.Recorder serverSide = new TestServers.Recorder();
        try (WebSocketServer server = WebSocketServer.builder().route("/r", serverSide).options(options).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder clientSide = new TestServers.Recorder();
            client.connect(uri(server, "/r"), clientSide).get();
            // Our client answers pings automatically; after several intervals it is still connected.
            assertThat(serverSide.next()).isEqualTo("open");
            assertThat(serverSide.nextStartingWith("pong:")).isEqualTo("pong:8");
            assertThat(serverSide.nextStartingWith("pong:")).isEqualTo("pong:8");
            assertThat(server.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void clientThatNeverAnswersPingsIsDropped() throws Exception {
        WebSocketOptions options = WebSocketOptions.defaults()
                .withPingInterval(Duration.ofMillis(100))
                .withPongTimeout(Duration.ofMillis(200));
        TestServers.Recorder serverSide = new TestServers.Recorder();
        try (WebSocketServer server = WebSocketServer.builder().route("/r", serverSide).options(options).startOnLoopback(0);
                RawClient raw = new RawClient(server.port())) {
            raw.send(RawClient.upgrade("/r"));
            assertThat(raw.readHead()).startsWith("HTTP/1.1 101 ");
            assertThat(raw.closedByServer()).isTrue(); // reads (and ignores) the ping, then EOF
            assertThat(serverSide.nextStartingWith("error:")).isEqualTo("error:TimeoutException");
            assertThat(serverSide.nextStartingWith("close:")).startsWith("close:1006:");
        }
    }

    @Test
    void idleTimeoutClosesWith1001() throws Exception {
        WebSocketOptions options = WebSocketOptions.defaults().withIdleTimeout(Duration.ofMillis(200));
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO).options(options).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder clientSide = new TestServers.Recorder();
            client.connect(uri(server, "/echo"), clientSide).get();
            assertThat(clientSide.nextStartingWith("close:")).startsWith("close:1001:");
        }
    }

    @Test
    void listenersRunOnTheConfiguredExecutorInOrder() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        AtomicReference<String> thread = new AtomicReference<>();
        StringBuilder order = new StringBuilder();
        WebSocketListener listener = new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) {
                thread.set(Thread.currentThread().getName());
                synchronized (order) {
                    order.append(text).append(',');
                }
                ws.sendText(text); // a send from a non-loop thread
            }
        };
        try (WebSocketServer server = WebSocketServer.builder().route("/r", listener).executor(pool).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder clientSide = new TestServers.Recorder();
            WebSocket ws = client.connect(uri(server, "/r"), clientSide).get();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                ws.sendText(Integer.toString(i));
                expected.append(i).append(',');
            }
            clientSide.next(); // open
            for (int i = 0; i < 500; i++) {
                assertThat(clientSide.next()).isEqualTo("text:" + i);
            }
            synchronized (order) {
                assertThat(order.toString()).isEqualTo(expected.toString());
            }
            assertThat(thread.get()).doesNotStartWith("duplex-loop");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sendsFromManyThreadsAllArriveInPerThreadOrder() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder clientSide = new TestServers.Recorder();
            WebSocket ws = client.connect(uri(server, "/echo"), clientSide).get();
            assertThat(clientSide.next()).isEqualTo("open");
            int threads = 4;
            int each = 500;
            Thread[] senders = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                senders[t] = new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        ws.sendText(id + ":" + i);
                    }
                });
                senders[t].start();
            }
            for (Thread sender : senders) {
                sender.join(10_000);
            }
            int[] next = new int[threads];
            for (int i = 0; i < threads * each; i++) {
                String[] parts = clientSide.next().substring("text:".length()).split(":");
                int id = Integer.parseInt(parts[0]);
                assertThat(Integer.parseInt(parts[1])).isEqualTo(next[id]++);
            }
        }
    }

    @Test
    void aSendOnTheLoopDoesNotOvertakeOneHandedOffBeforeIt() throws Exception {
        // For each message the server first sends "x" from another thread (handed to the loop),
        // waits until that call returned, then sends "y" on the loop: "x" must arrive first.
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        WebSocketListener xThenY = new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) {
                try {
                    other.submit(() -> ws.sendText("x" + text)).get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                ws.sendText("y" + text);
                if (text.equals("last")) {
                    ws.close(1000, "done"); // and the close goes after both
                }
            }
        };
        try (WebSocketServer server = WebSocketServer.builder().route("/xy", xThenY).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder clientSide = new TestServers.Recorder();
            WebSocket ws = client.connect(uri(server, "/xy"), clientSide).get();
            assertThat(clientSide.next()).isEqualTo("open");
            for (int i = 0; i < 50; i++) {
                ws.sendText(Integer.toString(i));
            }
            ws.sendText("last");
            for (int i = 0; i < 50; i++) {
                assertThat(clientSide.next()).isEqualTo("text:x" + i);
                assertThat(clientSide.next()).isEqualTo("text:y" + i);
            }
            assertThat(clientSide.next()).isEqualTo("text:xlast");
            assertThat(clientSide.next()).isEqualTo("text:ylast");
            assertThat(clientSide.next()).isEqualTo("close:1000:done");
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void slowConsumerIsClosedInsteadOfGrowingTheQueue() throws Exception {
        long maxQueued = 1 << 20;
        AtomicReference<Boolean> lastSend = new AtomicReference<>();
        AtomicReference<Long> maxBuffered = new AtomicReference<>(0L);
        TestServers.Recorder serverSide = new TestServers.Recorder() {
            @Override
            public void onOpen(WebSocket ws) {
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                boolean sent = true;
                for (int i = 0; i < 1_000 && sent; i++) { // 64 MiB offered, at most 1 MiB may queue
                    sent = ws.sendBinary(chunk.duplicate());
                    maxBuffered.set(Math.max(maxBuffered.get(), ws.bufferedAmount()));
                }
                lastSend.set(sent);
                super.onOpen(ws); // "open" is recorded once the sends are done
            }
        };
        WebSocketOptions options = WebSocketOptions.defaults().withMaxQueuedBytes(maxQueued).withCloseTimeout(Duration.ofMillis(300));
        try (WebSocketServer server = WebSocketServer.builder().route("/r", serverSide).options(options).startOnLoopback(0);
                RawClient raw = new RawClient(server.port())) {
            raw.send(RawClient.upgrade("/r")); // and never read
            assertThat(serverSide.next()).isEqualTo("open");
            assertThat(lastSend.get()).as("a send past the queue limit is refused").isFalse();
            assertThat(maxBuffered.get()).isLessThanOrEqualTo(maxQueued + 64 * 1024 + 16);
            assertThat(serverSide.nextStartingWith("close:")).startsWith("close:1006:");
        }
    }

    @Test
    void writabilityIsSignalledWhenTheQueueDrains() throws Exception {
        java.util.concurrent.CountDownLatch writable = new java.util.concurrent.CountDownLatch(1);
        AtomicReference<Long> peak = new AtomicReference<>(0L);
        WebSocketListener listener = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws) {
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                for (int i = 0; i < 128; i++) { // 8 MiB, more than the socket buffers take at once
                    ws.sendBinary(chunk.duplicate());
                }
                peak.set(ws.bufferedAmount());
            }

            @Override
            public void onWritable(WebSocket ws) {
                writable.countDown();
            }
        };
        // 8 MiB queued at once: more than the default limit (4 MiB), which is not what this test is about.
        try (WebSocketServer server = WebSocketServer.builder().route("/r", listener)
                .options(WebSocketOptions.defaults().withMaxQueuedBytes(16L << 20)).startOnLoopback(0);
                RawClient raw = new RawClient(server.port())) {
            raw.send(RawClient.upgrade("/r"));
            raw.readHead();
            assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> peak.get() > 0)).isTrue();
            assertThat(peak.get()).isGreaterThan(1 << 20);
            long expected = 128L * (64 * 1024 + 4);
            assertThat(raw.readExactly((int) expected)).hasSize((int) expected);
            assertThat(writable.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }
}
