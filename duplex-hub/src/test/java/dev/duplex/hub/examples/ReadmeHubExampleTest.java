package dev.duplex.hub.examples;

import java.util.List;
import java.net.URI;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * README.md's "The hub in your application", as written there (imports included: this test sits
 * outside {@code dev.duplex.hub}), with a client of the hub between the start and the publication:
 * it must receive the server-side publication, then the drain's disconnect. DocsExamplesTest
 * (duplex-server) fails when the README's example and this copy differ.
 */
class ReadmeHubExampleTest {
    private static final long WAIT_SECONDS = 10;

    @Test
    void theHubExampleStartsPublishesAndStops() throws Exception {
        // README.md: the hub in your application
        HubConfig config = HubConfig.builder()
                .namespace("chat", NamespaceConfig.builder().historySize(500).build())   // channels "chat:…"
                .build();
        HubServer server = HubServer.builder()
                .config(config)
                .address(new InetSocketAddress("127.0.0.1", 0))
                .start();
        boolean stopped = false;
        try (WebSocketClient webSockets = WebSocketClient.builder().build()) {
            HubClient subscriber = new HubClient(webSockets, server.port());
            subscriber.send(new Command.Connect(1L, null, "readme-test", "1", null));
            subscriber.expect(ServerMessage.Connected.class);
            subscriber.send(new Command.Subscribe(2L, "chat:lobby", null, null));
            subscriber.expect(ServerMessage.Subscribed.class);

            ObjectMapper json = new ObjectMapper();
            PublishResult published = server.hub()
                    .publish("chat:lobby", json.valueToTree(Map.of("text", "deploy finished")), null)
                    .get(5, TimeUnit.SECONDS);

            Publication publication = subscriber.expect(Publication.class);
            assertThat(publication.channel()).isEqualTo("chat:lobby");
            assertThat(publication.offset()).isEqualTo(published.offset()).isEqualTo(1);
            assertThat(publication.data().get("text").asText()).isEqualTo("deploy finished");

            server.drainAndClose(Duration.ofSeconds(5));
            stopped = true;
            ServerMessage.Disconnect told = subscriber.expect(ServerMessage.Disconnect.class);
            assertThat(told.code()).as("disconnect code of a drain").isEqualTo(3000);
            assertThat(told.reconnect()).isTrue();
            assertThat(subscriber.closeCode.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(1001);
        } finally {
            if (!stopped) {
                server.close();
            }
        }
    }

    /** A bare client of the hub's JSON protocol through the public API only. */
    private static final class HubClient {
        final BlockingQueue<ServerMessage> inbox = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        final WebSocket ws;

        HubClient(WebSocketClient client, int port) throws Exception {
            URI uri = URI.create("ws://127.0.0.1:" + port + HubServer.PATH);
            ws = client.connect(uri, List.of(HubCodec.JSON_SUBPROTOCOL), Map.of(), new WebSocketListener() {
                @Override
                public void onText(WebSocket ws, String text) {
                    try {
                        inbox.add(HubCodec.JSON.decodeServerMessage(text.getBytes(StandardCharsets.UTF_8)));
                    } catch (ProtocolException e) {
                        throw new AssertionError("The hub sent a message its own codec refuses: " + text, e);
                    }
                }

                @Override
                public void onClose(WebSocket ws, int code, String reason) {
                    closeCode.complete(code);
                }
            }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        void send(Command command) {
            ws.sendText(new String(HubCodec.JSON.encode(command), StandardCharsets.UTF_8));
        }

        /** The next message, which must be a {@code type}; join and leave messages are passed over. */
        <T extends ServerMessage> T expect(Class<T> type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (true) {
                ServerMessage m = inbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(m).as("a %s from the hub within %d s", type.getSimpleName(), WAIT_SECONDS).isNotNull();
                if (!(m instanceof ServerMessage.Join) && !(m instanceof ServerMessage.Leave)) {
                    assertThat(m).isInstanceOf(type);
                    return type.cast(m);
                }
            }
        }
    }
}
