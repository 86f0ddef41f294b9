package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's examples, compiled and run, so the documentation cannot drift from the API. */
class ReadmeExamplesTest {

    @Test
    void serverAndClientExamples() throws Exception {
        // README: server example
        WebSocketServer server = WebSocketServer.builder()
                .route("/echo", new WebSocketListener() {
                    @Override
                    public void onText(WebSocket ws, String text) {
                        ws.sendText(text);
                    }
                })
                .options(WebSocketOptions.defaults().withMaxMessageBytes(1 << 20))
                .start(0);

        // README: client example
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            WebSocket ws = client.connect(URI.create("ws://localhost:" + server.port() + "/echo"),
                    new WebSocketListener() {
                        @Override
                        public void onText(WebSocket ws, String text) {
                            replies.add(text);
                        }
                    }).get();
            ws.sendText("hello");
            assertThat(replies.poll(5, TimeUnit.SECONDS)).isEqualTo("hello");
            ws.close(1000, "bye");
        }
        server.close();
    }
}
