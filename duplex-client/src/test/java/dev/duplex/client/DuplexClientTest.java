package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.testkit.FaultProxy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client against a real hub on loopback: the round trip, errors, and what close() promises. */
class DuplexClientTest {
    private HubServer server;
    private final List<DuplexClient> clients = new ArrayList<>();

    record Chat(String user, String text) {
    }

    @BeforeEach
    void start() {
        server = HubServer.start(Hubs.fast().build(), 0);
    }

    @AfterEach
    void stop() {
        clients.forEach(DuplexClient::close);
        server.close();
    }

    private DuplexClient track(DuplexClient client) {
        clients.add(client);
        return client;
    }

    @ParameterizedTest
    @ValueSource(strings = {HubCodec.JSON_SUBPROTOCOL, HubCodec.MSGPACK_SUBPROTOCOL})
    void connectSubscribePublishAndAck(String format) throws Exception {
        HubCodec codec = HubCodec.forSubprotocol(format);
        Recorder bob = new Recorder();
        DuplexClient subscriber = track(Hubs.client(Hubs.uri(server), bob).codec(codec).name("bob-app").version("1.0").build());
        DuplexClient publisher = track(Hubs.client(Hubs.uri(server), null).codec(codec).build());
        Subscription sub = subscriber.subscribe("lobby", bob);
        assertThat(sub.state()).isEqualTo(SubscriptionState.SUBSCRIBING);
        subscriber.connect().get(10, TimeUnit.SECONDS);
        publisher.connect().get(10, TimeUnit.SECONDS);
        bob.await("subscribed", Hubs.WAIT, () -> !bob.subscribed.isEmpty());
        assertThat(bob.subscribed).containsExactly(false);
        assertThat(sub.state()).isEqualTo(SubscriptionState.SUBSCRIBED);
        assertThat(sub.position().offset()).isZero();
        assertThat(subscriber.clientId()).isNotEmpty();

        PublishResult first = publisher.publish("lobby", new Chat("ann", "hi")).get(10, TimeUnit.SECONDS);
        PublishResult second = publisher.publish("lobby", Map.of("text", "there")).get(10, TimeUnit.SECONDS);
        JsonNode node = TextNode.valueOf("raw node");
        PublishResult third = sub.publish(node).get(10, TimeUnit.SECONDS); // the subscriber publishes too

        assertThat(first.offset()).isEqualTo(1);
        assertThat(second.offset()).isEqualTo(2);
        assertThat(third.offset()).isEqualTo(3);
        assertThat(first.duplicate()).isFalse();
        assertThat(first.epoch()).isEqualTo(bob.subscribedPositions.get(0).epoch()).isEqualTo(third.epoch());
        assertThat(first.msgId()).isNotEqualTo(second.msgId());

        bob.awaitPublications(3, Hubs.WAIT);
        List<Publication> got = bob.publications();
        assertThat(got).extracting(Publication::offset).containsExactly(1L, 2L, 3L);
        assertThat(subscriber.mapper().treeToValue(got.get(0).data(), Chat.class)).isEqualTo(new Chat("ann", "hi"));
        assertThat(got.get(1).data().get("text").asText()).isEqualTo("there");
        assertThat(got.get(2).data().asText()).isEqualTo("raw node");
        assertThat(got.get(0).info().client()).isEqualTo(publisher.clientId());
        assertThat(sub.position()).isEqualTo(new StreamPosition(3, first.epoch()));

        List<ClientInfo> present = subscriber.presence("lobby").get(10, TimeUnit.SECONDS);
        assertThat(present).extracting(ClientInfo::client).containsExactly(subscriber.clientId());
        HistoryResult history = publisher.history("lobby", new StreamPosition(1, first.epoch()), 10).get(10, TimeUnit.SECONDS);
        assertThat(history.publications()).extracting(Publication::offset).containsExactly(2L, 3L);
        assertThat(history.position()).isEqualTo(new StreamPosition(3, first.epoch()));

        assertThat(bob.states).extracting(StateEvent::state).startsWith(ConnectionState.CONNECTING, ConnectionState.OPEN);
        assertThat(bob.states.get(1).attempt()).isEqualTo(1);
        bob.assertCallbackThreadsOnly();
    }

    @Test
    void publicationsStopAfterUnsubscribeAndASecondSubscribeStartsFresh() throws Exception {
        Recorder first = new Recorder();
        DuplexClient client = track(Hubs.client(Hubs.uri(server), null).build());
        client.connect().get(10, TimeUnit.SECONDS);
        Subscription sub = client.subscribe("news", first);
        first.await("subscribed", Hubs.WAIT, () -> !first.subscribed.isEmpty());
        assertThatThrownBy(() -> client.subscribe("news", first)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Already subscribed");
        client.publish("news", 1).get(10, TimeUnit.SECONDS);
        first.awaitPublications(1, Hubs.WAIT);

        sub.unsubscribe();
        assertThat(sub.state()).isEqualTo(SubscriptionState.UNSUBSCRIBED);
        assertThat(client.subscription("news")).isEmpty();
        client.publish("news", 2).get(10, TimeUnit.SECONDS);

        Recorder second = new Recorder();
        client.subscribe("news", second);
        second.await("subscribed again", Hubs.WAIT, () -> !second.subscribed.isEmpty());
        client.publish("news", 3).get(10, TimeUnit.SECONDS);
        second.awaitPublications(1, Hubs.WAIT);
        assertThat(second.publications()).extracting(p -> p.data().asInt()).containsExactly(3);
        assertThat(first.publications()).extracting(p -> p.data().asInt()).containsExactly(1);
    }

    @Test
    void hubErrorsReachTheFutureAndTheSubscriptionWithTheirCode() throws Exception {
        Recorder early = new Recorder();
        Recorder late = new Recorder();
        DuplexClient client = track(Hubs.client(Hubs.uri(server), null).build());
        // Resumed in connect.subs (the hub refuses it there) and subscribed on its own once connected.
        Subscription beforeConnect = client.subscribe("nowhere:a", early);
        client.connect().get(10, TimeUnit.SECONDS);
        Subscription afterConnect = client.subscribe("nowhere:b", late);

        early.await("an error", Hubs.WAIT, () -> !early.errors.isEmpty());
        late.await("an error", Hubs.WAIT, () -> !late.errors.isEmpty());
        for (Recorder r : List.of(early, late)) {
            assertThat(r.errors).hasSize(1);
            assertThat(r.errors.get(0)).isInstanceOf(HubErrorException.class);
            assertThat(((HubErrorException) r.errors.get(0)).errorCode()).isEqualTo(ErrorCode.UNKNOWN_CHANNEL);
            assertThat(r.unsubscribed).isEmpty();
        }
        assertThat(beforeConnect.state()).isEqualTo(SubscriptionState.UNSUBSCRIBED);
        assertThat(afterConnect.state()).isEqualTo(SubscriptionState.UNSUBSCRIBED);
        assertThat(client.subscription("nowhere:a")).isEmpty();

        assertThatThrownBy(() -> client.publish("nowhere:c", 1).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(HubErrorException.class)
                .hasMessageContaining("102");
        char[] big = new char[70_000];
        java.util.Arrays.fill(big, 'x');
        ExecutionException tooLarge = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> client.publish("lobby", new String(big)).get(10, TimeUnit.SECONDS));
        assertThat(((HubErrorException) tooLarge.getCause()).errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
        assertThat(client.outboxSize()).isZero();

        ExecutionException gone = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> client.history("lobby", new StreamPosition(5, "no-such-epoch"), null).get(10, TimeUnit.SECONDS));
        assertThat(((HubErrorException) gone.getCause()).errorCode()).isEqualTo(ErrorCode.UNRECOVERABLE_POSITION);
        // The connection survived all of it.
        assertThat(client.state()).isEqualTo(ConnectionState.OPEN);
        assertThat(client.publish("lobby", "still here").get(10, TimeUnit.SECONDS).offset()).isEqualTo(1);
    }

    @Test
    void presenceAndHistoryFailFastWhenNotConnectedAndTheOutboxIsBounded() throws Exception {
        DuplexClient client = track(Hubs.client(Hubs.uri(server), null).outboxCapacity(3).build());
        CompletableFuture<List<ClientInfo>> presence = client.presence("lobby");
        ExecutionException notConnected = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> presence.get(2, TimeUnit.SECONDS));
        assertThat(notConnected.getCause()).isInstanceOf(NotConnectedException.class).hasMessageContaining("lobby");
        assertThatThrownBy(() -> client.history("lobby").get(2, TimeUnit.SECONDS)).cause()
                .isInstanceOf(NotConnectedException.class);

        // Not connected: publishes wait in the outbox, up to its capacity.
        List<CompletableFuture<PublishResult>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(client.publish("lobby", i));
        }
        CompletableFuture<PublishResult> overflow = client.publish("lobby", 3);
        assertThat(overflow).isCompletedExceptionally();
        assertThatThrownBy(overflow::join).cause().isInstanceOf(OutboxFullException.class).hasMessageContaining("3");
        assertThat(client.outboxSize()).isEqualTo(3);
        Thread.sleep(100);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        // Connecting sends them, in order.
        client.connect().get(10, TimeUnit.SECONDS);
        List<Long> offsets = new ArrayList<>();
        for (CompletableFuture<PublishResult> f : waiting) {
            offsets.add(f.get(10, TimeUnit.SECONDS).offset());
        }
        assertThat(offsets).containsExactly(1L, 2L, 3L);
        HistoryResult history = client.history("lobby").get(10, TimeUnit.SECONDS);
        assertThat(history.publications()).extracting(p -> p.data().asInt()).containsExactly(0, 1, 2);
    }

    @Test
    void closeFailsWhatIsPendingAndNeverReconnects() throws Exception {
        try (FaultProxy proxy = new FaultProxy(server.port())) {
            Recorder recorder = new Recorder();
            DuplexClient client = track(Hubs.client(Hubs.uri(proxy), recorder).build());
            Subscription sub = client.subscribe("lobby", recorder);
            client.connect().get(10, TimeUnit.SECONDS);
            recorder.await("subscribed", Hubs.WAIT, () -> !recorder.subscribed.isEmpty());

            // Offline, with a publish waiting in the outbox.
            proxy.refuseNew(true);
            proxy.dropAll();
            recorder.awaitState(0, e -> e.state() == ConnectionState.CLOSED && e.willReconnect(), Hubs.WAIT);
            CompletableFuture<PublishResult> pending = client.publish("lobby", "never sent");
            assertThat(client.outboxSize()).isEqualTo(1);

            client.close();
            ExecutionException closed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> pending.get(5, TimeUnit.SECONDS));
            assertThat(closed.getCause()).isInstanceOf(ClientClosedException.class);
            assertThat(((ClientClosedException) closed.getCause()).code()).isEqualTo(1000);
            assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
            assertThat(client.outboxSize()).isZero();
            assertThat(sub.state()).isEqualTo(SubscriptionState.UNSUBSCRIBED);
            recorder.awaitState(0, e -> e.state() == ConnectionState.CLOSED && Integer.valueOf(1000).equals(e.code()),
                    Hubs.WAIT);
            StateEvent last = recorder.states.get(recorder.states.size() - 1);
            assertThat(last.code()).isEqualTo(1000);
            assertThat(last.willReconnect()).isFalse();

            // The way back is open again: a client that were to reconnect would get through now.
            int events = recorder.states.size();
            proxy.refuseNew(false);
            Thread.sleep(500);
            assertThat(proxy.openConnections()).isZero();
            assertThat(recorder.states).hasSize(events);
            assertThatThrownBy(() -> client.subscribe("lobby", recorder)).isInstanceOf(ClientClosedException.class);
            assertThatThrownBy(() -> client.publish("lobby", 1).join()).cause().isInstanceOf(ClientClosedException.class);
            assertThatThrownBy(() -> client.connect().join()).cause().isInstanceOf(ClientClosedException.class);
            client.close(); // idempotent
        }
    }

    @Test
    void closeOfAnOpenClientSends1000AndTheHubSeesItLeave() throws Exception {
        Recorder recorder = new Recorder();
        DuplexClient client = track(Hubs.client(Hubs.uri(server), recorder).build());
        client.connect().get(10, TimeUnit.SECONDS);
        assertThat(server.hub().connectionCount()).isEqualTo(1);
        client.close();
        assertThat(recorder.states).extracting(StateEvent::state).containsSubsequence(
                ConnectionState.OPEN, ConnectionState.CLOSING, ConnectionState.CLOSED);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.hub().connectionCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.hub().connectionCount()).isZero();
    }

    @Test
    void blockingOnAClientFutureInsideACallbackFailsInsteadOfDeadlocking() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        java.util.concurrent.CountDownLatch called = new java.util.concurrent.CountDownLatch(1);
        DuplexClient client = track(Hubs.client(Hubs.uri(server), null).build());
        client.subscribe("lobby", new SubscriptionListener() {
            @Override
            public void onSubscribed(Subscription subscription, boolean recovered, StreamPosition position) {
                try {
                    client.presence("lobby").get(1, TimeUnit.SECONDS);
                } catch (Throwable t) {
                    thrown.set(t);
                }
                called.countDown();
            }
        });
        client.connect().get(10, TimeUnit.SECONDS);
        assertThat(called.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("deadlock");
    }

    @Test
    void theBuilderRefusesNonsense() {
        assertThatThrownBy(() -> DuplexClient.builder("http://localhost/connect")).isInstanceOf(IllegalArgumentException.class);
        DuplexClient.Builder b = DuplexClient.builder("ws://localhost:1/connect");
        assertThatThrownBy(() -> b.outboxCapacity(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxAttempts(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.reconnectDelay(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.commandTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        DuplexClient client = track(b.build());
        assertThatThrownBy(() -> client.subscribe("has space", new SubscriptionListener() { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.publish("", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(HubConfig.defaults()).isNotNull();
    }
}
