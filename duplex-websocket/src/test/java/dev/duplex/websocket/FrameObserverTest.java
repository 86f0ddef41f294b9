package dev.duplex.websocket;

import dev.duplex.websocket.internal.FrameTracing;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.FrameTrace;
import dev.duplex.protocol.FrameTrace.Direction;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@link FrameTracing#observe}: real frames of a real connection on loopback, seen from both sides. */
class FrameObserverTest {

    private static FrameTrace frame(Direction direction, int opcode, boolean masked, long length) {
        return new FrameTrace(direction, true, false, false, false, opcode, masked, length, FrameTrace.NO_CLOSE_CODE, null);
    }

    private static FrameTrace close(Direction direction, boolean masked, long length, int code, String reason) {
        return new FrameTrace(direction, true, false, false, false, 0x8, masked, length, code, reason);
    }

    @Test
    void serverObserverSeesTheClientsMaskedFramesItsOwnUnmaskedRepliesAndTheCloseCode() throws Exception {
        List<FrameTrace> serverFrames = new CopyOnWriteArrayList<>();
        WebSocketListener echo = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws) {
                FrameTracing.observe(ws, serverFrames::add); // on the loop: in effect before any frame
            }

            @Override
            public void onText(WebSocket ws, String text) {
                ws.sendText(text);
            }

            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                ws.sendBinary(data);
            }
        };
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", echo).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder clientSide = new TestServers.Recorder();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), clientSide).get();
            List<FrameTrace> clientFrames = new CopyOnWriteArrayList<>();
            FrameTracing.observe(ws, clientFrames::add); // from the test thread: hops to the loop ahead of the sends below
            assertThat(clientSide.next()).isEqualTo("open");

            ws.sendText("hello");
            assertThat(clientSide.next()).isEqualTo("text:hello");
            ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertThat(clientSide.next()).isEqualTo("binary:3");
            ws.ping(ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8)));
            assertThat(clientSide.next()).isEqualTo("pong:1");
            ws.close(1000, "bye");
            assertThat(clientSide.next()).isEqualTo("close:1000:");
            assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> serverFrames.size() == 8)).isTrue();

            assertThat(serverFrames).containsExactly(
                    frame(Direction.IN, 0x1, true, 5),
                    frame(Direction.OUT, 0x1, false, 5),
                    frame(Direction.IN, 0x2, true, 3),
                    frame(Direction.OUT, 0x2, false, 3),
                    frame(Direction.IN, 0x9, true, 1),
                    frame(Direction.OUT, 0xA, false, 1),
                    close(Direction.IN, true, 5, 1000, "bye"),
                    close(Direction.OUT, false, 2, 1000, ""));
            assertThat(clientFrames).containsExactly(
                    frame(Direction.OUT, 0x1, true, 5),
                    frame(Direction.IN, 0x1, false, 5),
                    frame(Direction.OUT, 0x2, true, 3),
                    frame(Direction.IN, 0x2, false, 3),
                    frame(Direction.OUT, 0x9, true, 1),
                    frame(Direction.IN, 0xA, false, 1),
                    close(Direction.OUT, true, 5, 1000, "bye"),
                    close(Direction.IN, false, 2, 1000, ""));
        }
    }

    @Test
    void anObserverThatWritesToAnotherConnectionOfItsLoopDoesNotStealTheEnginesReply() throws Exception {
        // One event loop, so both connections share its output buffer. Every frame of the first
        // connection is reported to the second one (as the hub's frame traces do). When the first
        // client closes, the engine's Close reply must still leave on the first connection.
        java.util.concurrent.atomic.AtomicReference<WebSocket> watcher = new java.util.concurrent.atomic.AtomicReference<>();
        WebSocketListener server = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws) {
                if (ws.path().equals("/watched")) {
                    FrameTracing.observe(ws, trace -> {
                        WebSocket w = watcher.get();
                        if (w != null) {
                            w.sendText(trace.direction() + " " + trace.opcodeName());
                        }
                    });
                } else {
                    watcher.set(ws);
                }
            }

            @Override
            public void onText(WebSocket ws, String text) {
                ws.sendText(text);
            }
        };
        try (WebSocketServer s = WebSocketServer.builder().route("/watched", server).route("/watcher", server)
                .eventLoops(1).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder watcherSide = new TestServers.Recorder();
            client.connect(URI.create("ws://127.0.0.1:" + s.port() + "/watcher"), watcherSide).get();
            assertThat(watcherSide.next()).isEqualTo("open");
            TestServers.Recorder watchedSide = new TestServers.Recorder();
            WebSocket watched = client.connect(URI.create("ws://127.0.0.1:" + s.port() + "/watched"), watchedSide).get();
            assertThat(watchedSide.next()).isEqualTo("open");
            for (int round = 0; round < 20; round++) {
                watched.sendText("m" + round);
                assertThat(watchedSide.next()).isEqualTo("text:m" + round);
            }
            watched.close(1000, "bye");
            assertThat(watchedSide.next()).startsWith("close:1000:"); // the server's reply came back here, not 1006
            // ...and the watcher saw only its own text frames: no stray Close of the other connection.
            String last = "";
            for (int i = 0; i < 41; i++) {
                last = watcherSide.next();
                assertThat(last).startsWith("text:");
            }
            assertThat(last).isEqualTo("text:IN close");
            assertThat(watcherSide.events.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS))
                    .isIn("text:OUT close", null);
        }
    }

    @Test
    void nullStopsAndAThrowingObserverIsRemovedWithoutHarmingTheConnection() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder clientSide = new TestServers.Recorder();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), clientSide).get();
            assertThat(clientSide.next()).isEqualTo("open");

            List<FrameTrace> seen = new CopyOnWriteArrayList<>();
            FrameTracing.observe(ws, trace -> {
                seen.add(trace);
                throw new IllegalStateException("observer bug");
            });
            ws.sendText("one");
            assertThat(clientSide.next()).isEqualTo("text:one");
            assertThat(seen).hasSize(1); // removed after its first call
            ws.sendText("two");
            assertThat(clientSide.next()).isEqualTo("text:two");
            assertThat(seen).hasSize(1);

            List<FrameTrace> again = new CopyOnWriteArrayList<>();
            FrameTracing.observe(ws, again::add);
            ws.sendText("three");
            assertThat(clientSide.next()).isEqualTo("text:three");
            FrameTracing.observe(ws, null);
            ws.sendText("four");
            assertThat(clientSide.next()).isEqualTo("text:four");
            assertThat(again).extracting(FrameTrace::direction).containsExactly(Direction.OUT, Direction.IN);
            ws.close();
            assertThat(clientSide.nextStartingWith("close:")).isEqualTo("close:1000:");
        }
    }
}
