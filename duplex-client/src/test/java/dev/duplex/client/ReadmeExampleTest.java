package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.HubServer;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The example of docs/java-client.md, as written there, against a real hub. DocsExamplesTest
 * (duplex-server) fails when the page and this copy differ.
 */
class ReadmeExampleTest {
    private final List<String> printed = new CopyOnWriteArrayList<>();

    @Test
    void theReadmeExampleWorks() throws Exception {
        try (HubServer server = HubServer.start(Hubs.fast().tokens(Tokens.verifier())
                .namespace("chat", NamespaceConfig.defaults()).build(), 0)) {
            // --- as in docs/java-client.md ---
            DuplexClient client = DuplexClient.builder("ws://localhost:" + server.port() + "/connect")
                    .tokenProvider(() -> fetchTokenFromMyBackend())   // on every (re)connect and before expiry
                    .name("chat-app").version("2.1.0")
                    .stateListener(event -> println("hub: " + event))
                    .build();

            Subscription lobby = client.subscribe("chat:lobby", new SubscriptionListener() {
                @Override
                public void onPublication(Subscription sub, Publication p) {
                    println(p.offset() + ": " + p.data().get("text").asText());
                }

                @Override
                public void onUnrecoverable(Subscription sub, StreamPosition position) {
                    reloadChatFromMyDatabase();   // a gap history could not fill; delivery continues after it
                }
            });
            client.connect().get(10, TimeUnit.SECONDS);

            CompletableFuture<PublishResult> ack = client.publish("chat:lobby", Map.of("text", "hi"));
            ack.thenAccept(r -> println("stored at offset " + r.offset() + (r.duplicate() ? " (retry)" : "")));

            // --- (the page's "..."): the test waits for the ack before closing
            assertThat(ack.get(10, TimeUnit.SECONDS).offset()).isEqualTo(1);
            waitUntilPrinted("1: hi");
            // ---
            client.close();   // 1000 to the hub, no reconnect; publishes still without an ack fail
            // --- end ---

            assertThat(lobby.state()).isEqualTo(SubscriptionState.UNSUBSCRIBED);
            waitUntilPrinted("stored at offset 1");
            assertThat(printed).contains("1: hi", "stored at offset 1");
            assertThat(printed).anyMatch(s -> s.startsWith("hub: OPEN"));
            assertThat(printed).anyMatch(s -> s.startsWith("hub: CLOSED 1000"));
        }
    }

    private void waitUntilPrinted(String line) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!printed.contains(line) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(printed).contains(line);
    }

    private String fetchTokenFromMyBackend() {
        return Tokens.token("ann", Duration.ofMinutes(10));
    }

    private void reloadChatFromMyDatabase() {
        printed.add("reloaded");
    }

    private void println(String line) {
        printed.add(line);
    }
}
