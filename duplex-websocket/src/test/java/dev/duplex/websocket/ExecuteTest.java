package dev.duplex.websocket;

import java.net.URI;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link WebSocket#execute}: one owner for per-connection state, in order with the sends. */
class ExecuteTest {

    @Test
    void tasksRunWhereTheListenerEventsRunInOrderWithSendsFromTheSameThread() throws Exception {
        CompletableFuture<WebSocket> opened = new CompletableFuture<>();
        CompletableFuture<Thread> eventThread = new CompletableFuture<>();
        WebSocketListener listener = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws) {
                eventThread.complete(Thread.currentThread());
                opened.complete(ws);
            }
        };
        TestServers.Recorder client = new TestServers.Recorder();
        try (WebSocketServer server = WebSocketServer.builder().route("/r", listener).start(0);
             WebSocketClient clients = WebSocketClient.builder().build()) {
            clients.connect(URI.create("ws://127.0.0.1:" + server.port() + "/r"), client).get(5, TimeUnit.SECONDS);
            WebSocket ws = opened.get(5, TimeUnit.SECONDS);
            assertThat(client.next()).isEqualTo("open");

            List<Thread> ranOn = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            for (int i = 0; i < 100; i++) { // from this thread: a send, then a task that sends
                ws.sendText("s" + i);
                int n = i;
                ws.execute(() -> {
                    ranOn.add(Thread.currentThread()); // no lock: only the loop touches it
                    ws.sendText("t" + n);
                    if (n == 99) {
                        done.countDown();
                    }
                });
            }
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 100; i++) {
                assertThat(client.next()).isEqualTo("text:s" + i);
                assertThat(client.next()).isEqualTo("text:t" + i);
            }
            assertThat(ranOn).hasSize(100).containsOnly(eventThread.get());

            // On the loop itself a task runs at once.
            CompletableFuture<List<String>> inline = new CompletableFuture<>();
            ws.execute(() -> {
                List<String> order = new ArrayList<>();
                ws.execute(() -> order.add("inner"));
                order.add("after");
                inline.complete(order);
            });
            assertThat(inline.get(5, TimeUnit.SECONDS)).containsExactly("inner", "after");

            // After the connection closed, tasks still run (to clean up).
            ws.close(1000, "bye");
            assertThat(client.nextStartingWith("close:")).isEqualTo("close:1000:bye");
            CompletableFuture<Boolean> late = new CompletableFuture<>();
            ws.execute(() -> late.complete(true));
            assertThat(late.get(5, TimeUnit.SECONDS)).isTrue();
        }
    }
}
