package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * {@link PreparedMessage#sendTo} and {@link SendBatch}: one message to many connections spread
 * over two event loops, handed to each loop as one batch, and still in each connection's send
 * order, also when direct sends to the same connections are interleaved with it.
 */
class FanoutTest {
    private static final int CLIENTS = 12;
    private static final int MESSAGES = 300;

    /** Server side: remembers every open connection; on "all:" from a client, fans the rest out. */
    private static final class Members implements WebSocketListener {
        final Set<WebSocket> open = ConcurrentHashMap.newKeySet();

        @Override
        public void onOpen(WebSocket ws) {
            open.add(ws);
        }

        @Override
        public void onText(WebSocket ws, String text) {
            PreparedMessage.text(text).sendTo(open); // runs on the sender's event loop
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            open.remove(ws);
        }
    }

    private static List<TestServers.Recorder> connectAll(WebSocketClient client, WebSocketServer server, Members members)
            throws Exception {
        List<TestServers.Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            TestServers.Recorder recorder = new TestServers.Recorder();
            client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/fan"), recorder).get();
            assertThat(recorder.next()).isEqualTo("open");
            recorders.add(recorder);
        }
        assertThat(TestServers.eventually(java.time.Duration.ofSeconds(5), () -> members.open.size() == CLIENTS)).isTrue();
        return recorders;
    }

    @Test
    void fromAnotherThreadInterleavedWithDirectSendsEveryClientGetsEveryMessageInOrder() throws Exception {
        Members members = new Members();
        try (WebSocketServer server = WebSocketServer.builder().route("/fan", members).eventLoops(2).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            List<TestServers.Recorder> recorders = connectAll(client, server, members);
            for (int i = 0; i < MESSAGES; i++) {
                if (i % 3 == 0) {
                    for (WebSocket ws : members.open) {
                        assertThat(ws.sendText("m" + i)).isTrue(); // one hand-off per connection
                    }
                } else {
                    PreparedMessage.text("m" + i).sendTo(members.open); // one hand-off per loop
                }
            }
            for (TestServers.Recorder recorder : recorders) {
                for (int i = 0; i < MESSAGES; i++) {
                    assertThat(recorder.next()).isEqualTo("text:m" + i);
                }
            }
        }
    }

    @Test
    void fromAnEventLoopEveryClientGetsEveryMessageInOrder() throws Exception {
        Members members = new Members();
        try (WebSocketServer server = WebSocketServer.builder().route("/fan", members).eventLoops(2).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            List<TestServers.Recorder> recorders = connectAll(client, server, members);
            // Two publishers, most likely on different loops, each fan out from its own loop.
            WebSocket first = client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/fan"),
                    new TestServers.Recorder()).get();
            WebSocket second = client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/fan"),
                    new TestServers.Recorder()).get();
            for (int i = 0; i < MESSAGES; i++) {
                first.sendText("a" + i);
                second.sendText("b" + i);
            }
            for (TestServers.Recorder recorder : recorders) {
                int nextA = 0;
                int nextB = 0;
                for (int n = 0; n < 2 * MESSAGES; n++) {
                    String event = recorder.next();
                    if (event.startsWith("text:a")) {
                        assertThat(event).isEqualTo("text:a" + nextA++);
                    } else {
                        assertThat(event).isEqualTo("text:b" + nextB++);
                    }
                }
                assertThat(nextA).isEqualTo(MESSAGES);
                assertThat(nextB).isEqualTo(MESSAGES);
            }
        }
    }

    @Test
    void closedConnectionsAreSkipped() throws Exception {
        Members members = new Members();
        try (WebSocketServer server = WebSocketServer.builder().route("/fan", members).eventLoops(2).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            List<TestServers.Recorder> recorders = connectAll(client, server, members);
            List<WebSocket> snapshot = new ArrayList<>(members.open);
            WebSocket gone = snapshot.get(0);
            gone.close(1000, "bye");
            assertThat(TestServers.eventually(java.time.Duration.ofSeconds(5),
                    () -> gone.isClosed())).isTrue();
            PreparedMessage.text("after").sendTo(snapshot);
            int delivered = 0;
            for (TestServers.Recorder recorder : recorders) {
                String event = recorder.next();
                if (event.equals("text:after")) {
                    delivered++;
                } else {
                    assertThat(event).startsWith("close:1000");
                }
            }
            assertThat(delivered).isEqualTo(CLIENTS - 1);
        }
    }

    @Test
    void aBatchThatFailsHalfwayStillDeliversWhatItSentAndNestedBatchesJoin() throws Exception {
        Members members = new Members();
        try (WebSocketServer server = WebSocketServer.builder().route("/fan", members).eventLoops(2).startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().build()) {
            List<TestServers.Recorder> recorders = connectAll(client, server, members);
            List<WebSocket> all = new ArrayList<>(members.open);
            try {
                WebSocket.sendBatch(() -> {
                    WebSocket.sendBatch(() -> all.forEach(ws -> ws.sendText("inner"))); // joins the outer batch
                    all.forEach(ws -> ws.sendText("outer"));
                    throw new IllegalStateException("the application failed after sending");
                });
            } catch (IllegalStateException expected) {
                assertThat(expected).hasMessageContaining("failed after sending");
            }
            for (WebSocket ws : all) {
                assertThat(ws.sendText("after")).isTrue();
            }
            for (TestServers.Recorder recorder : recorders) {
                assertThat(recorder.next()).isEqualTo("text:inner");
                assertThat(recorder.next()).isEqualTo("text:outer");
                assertThat(recorder.next()).isEqualTo("text:after");
            }
        }
    }
}
