package dev.duplex.websocket.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.WebSocketOptions;
import dev.duplex.websocket.WebSocketServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The library examples of README.md (its imports, the server and the client) and of
 * docs/compression.md, as written there, compiled and run. This test sits outside
 * {@code dev.duplex.websocket} so that the imports the README lists are the ones the examples need.
 * DocsExamplesTest (duplex-server) fails when a page's example and this copy differ.
 */
class ReadmeExamplesTest {

    @Test
    void serverAndClientExamples() throws Exception {
        // README.md: the server
        WebSocketServer server = WebSocketServer.builder()
                .route("/echo", new WebSocketListener() {
                    @Override public void onText(WebSocket ws, String text) { ws.sendText(text); }
                })
                .options(WebSocketOptions.defaults().withMaxMessageBytes(1 << 20))
                .start(0);
        BlockingQueue<String> printed = new LinkedBlockingQueue<>();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()) {
            @Override
            public void println(String line) {
                printed.add(line);
            }
        });
        try {
            // README.md: the client
            try (WebSocketClient client = WebSocketClient.builder().build()) {
                WebSocket ws = client.connect(URI.create("ws://localhost:" + server.port() + "/echo"), new WebSocketListener() {
                    @Override public void onText(WebSocket ws, String text) { System.out.println(text); }
                }).get();
                ws.sendText("hello");
                assertThat(printed.poll(5, TimeUnit.SECONDS)).as("the echo the client printed").isEqualTo("hello");
                ws.close(1000, "bye");
            }
        } finally {
            System.setOut(stdout);
            // README.md: stopping the server
            server.close();   // 1001 to every client, waits for their Close up to the close timeout
        }
    }

    @Test
    void compressionExample() throws Exception {
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        WebSocketListener listener = new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) {
                ws.sendText(text);
            }
        };
        // docs/compression.md
        WebSocketOptions options = WebSocketOptions.defaults().withCompression(true);
        WebSocketServer server = WebSocketServer.builder().options(options).route("/echo", listener).start(0);
        WebSocketClient client = WebSocketClient.builder().options(options).build();
        try (client) {
            WebSocket ws = client.connect(URI.create("ws://localhost:" + server.port() + "/echo"), new WebSocketListener() {
                @Override
                public void onText(WebSocket ws, String text) {
                    replies.add(text);
                }
            }).get(10, TimeUnit.SECONDS);
            assertThat(ws.extensions()).startsWith("permessage-deflate");
            String text = "compressible ".repeat(100);
            ws.sendText(text);
            assertThat(replies.poll(5, TimeUnit.SECONDS)).isEqualTo(text);
            ws.close(1000, "bye");
        } finally {
            server.close();
        }
    }
}
