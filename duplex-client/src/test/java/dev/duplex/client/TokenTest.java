package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.Access;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.NamespaceConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tokens from a provider: refreshed before they expire; after a 3004, a fresh one on reconnect. */
class TokenTest {
    private HubServer server;
    private final List<DuplexClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        server = HubServer.start(Hubs.fast().tokens(Tokens.verifier()).anonymous(false)
                .namespace("private", NamespaceConfig.builder().subscribe(Access.TOKEN).build()).build(), 0);
    }

    @AfterEach
    void stop() {
        clients.forEach(DuplexClient::close);
        server.close();
    }

    @Test
    void theTokenIsRefreshedBeforeItExpiresAndTheConnectionLives() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        java.util.concurrent.CountDownLatch fourTokens = new java.util.concurrent.CountDownLatch(4);
        Recorder recorder = new Recorder();
        DuplexClient client = DuplexClient.builder(Hubs.uri(server))
                .tokenProvider(() -> {
                    calls.incrementAndGet();
                    fourTokens.countDown();
                    return Tokens.token("ann", Duration.ofSeconds(3));
                })
                .stateListener(recorder)
                .build();
        clients.add(client);
        client.connect().get(10, TimeUnit.SECONDS);
        String id = client.clientId();
        assertThat(calls.get()).isEqualTo(1);

        // The hub disconnects (3004) at expiry unless refreshed; refreshes come at half the remaining life.
        // Past the first token's expiry (3 s) and a hub deadline check: the fourth token comes at ~4.5 s.
        assertThat(fourTokens.await(10, TimeUnit.SECONDS)).as("three refreshes").isTrue();
        assertThat(recorder.states).extracting(StateEvent::state)
                .containsExactly(ConnectionState.CONNECTING, ConnectionState.OPEN);
        assertThat(client.clientId()).isEqualTo(id);
        assertThat(client.publish("lobby", "still connected").get(10, TimeUnit.SECONDS).offset()).isEqualTo(1);
    }

    @Test
    void anExpiredTokenDisconnectGetsAFreshTokenOnReconnect() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Recorder recorder = new Recorder();
        DuplexClient client = DuplexClient.builder(Hubs.uri(server))
                .reconnectDelay(Duration.ofMillis(10), Duration.ofMillis(100))
                .tokenProvider(() -> {
                    int call = calls.incrementAndGet();
                    if (call == 2) {
                        throw new IllegalStateException("the token service is down"); // the refresh fails
                    }
                    return Tokens.token("ann", call == 1 ? Duration.ofSeconds(2) : Duration.ofMinutes(5));
                })
                .stateListener(recorder)
                .build();
        clients.add(client);
        client.subscribe("lobby", recorder);
        client.connect().get(10, TimeUnit.SECONDS);

        int closed = recorder.awaitState(0, e -> e.state() == ConnectionState.CLOSED, Duration.ofSeconds(10));
        StateEvent event = recorder.states.get(closed);
        assertThat(event.code()).isEqualTo(3004);
        assertThat(event.willReconnect()).isTrue();
        recorder.awaitOpen(closed, Duration.ofSeconds(10));
        assertThat(calls.get()).isEqualTo(3);
        recorder.await("resubscribed", Hubs.WAIT, () -> recorder.subscribed.size() == 2);
        assertThat(recorder.subscribed).containsExactly(false, true);
    }

    @Test
    void subscriptionTokensAreFetchedForEverySubscribeIncludingResubscribes() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Recorder recorder = new Recorder();
        Recorder refused = new Recorder();
        DuplexClient client = DuplexClient.builder(Hubs.uri(server))
                .reconnectDelay(Duration.ofMillis(10), Duration.ofMillis(100))
                .tokenProvider(() -> Tokens.token("ann", Duration.ofMinutes(5)))
                .stateListener(recorder)
                .build();
        clients.add(client);
        client.subscribe("private:ann", recorder, SubscriptionOptions.defaults().withToken(channel -> {
            calls.incrementAndGet();
            return Tokens.subscriptionToken("ann", channel);
        }));
        // Without a token provider the namespace refuses the subscription.
        client.subscribe("private:bob", refused);
        client.connect().get(10, TimeUnit.SECONDS);
        recorder.await("subscribed", Hubs.WAIT, () -> recorder.subscribed.size() == 1);
        refused.await("refused", Hubs.WAIT, () -> !refused.errors.isEmpty());
        assertThat(((HubErrorException) refused.errors.get(0)).errorCode())
                .isEqualTo(dev.duplex.hub.protocol.ErrorCode.PERMISSION_DENIED);

        client.publish("private:ann", "one").get(10, TimeUnit.SECONDS);
        recorder.awaitPublications(1, Hubs.WAIT);
        int before = recorder.states.size();
        client.disconnectNow();
        recorder.awaitOpen(before, Hubs.WAIT);
        recorder.await("resubscribed", Hubs.WAIT, () -> recorder.subscribed.size() == 2);
        assertThat(recorder.subscribed).containsExactly(false, true);
        assertThat(calls.get()).isEqualTo(2);
        client.publish("private:ann", "two").get(10, TimeUnit.SECONDS);
        recorder.awaitPublications(2, Hubs.WAIT);
        assertThat(recorder.publications()).extracting(p -> p.data().asText()).containsExactly("one", "two");
    }
}
