package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.testkit.FaultProxy;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.protocol.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Publishes survive a lost connection: re-sent in order with the same ids, published once. */
class OutboxResendTest {
    private HubServer server;
    private FaultProxy proxy;
    private final List<DuplexClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HubServer.start(Hubs.fast().build(), 0);
        proxy = new FaultProxy(server.port());
    }

    @AfterEach
    void stop() {
        clients.forEach(DuplexClient::close);
        proxy.close();
        server.close();
    }

    @Test
    void unacknowledgedAndOfflinePublishesAreResentInOrderAndPublishedOnce() throws Exception {
        Recorder watcher = new Recorder();
        DuplexClient subscriber = client(Hubs.uri(server), null);
        subscriber.subscribe("orders", watcher);
        subscriber.connect().get(10, TimeUnit.SECONDS);
        watcher.await("subscribed", Hubs.WAIT, () -> !watcher.subscribed.isEmpty());

        Recorder states = new Recorder();
        DuplexClient publisher = client(Hubs.uri(proxy), states);
        publisher.connect().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 5; i++) {
            assertThat(publisher.publish("orders", i).get(10, TimeUnit.SECONDS).duplicate()).isFalse();
        }

        // The hub gets the next 20 and publishes them, but their acks never come back.
        proxy.holdDownstream();
        List<CompletableFuture<PublishResult>> unacked = new ArrayList<>();
        for (int i = 5; i < 25; i++) {
            unacked.add(publisher.publish("orders", i));
        }
        watcher.awaitPublications(25, Hubs.WAIT);
        assertThat(unacked).noneMatch(CompletableFuture::isDone);
        assertThat(publisher.outboxSize()).isEqualTo(20);

        // The connection dies; the hub is unreachable for a while; 10 more are published meanwhile.
        proxy.refuseNew(true);
        proxy.dropAll();
        states.awaitState(0, e -> e.state() == ConnectionState.CLOSED && e.willReconnect(), Hubs.WAIT);
        List<CompletableFuture<PublishResult>> offline = new ArrayList<>();
        for (int i = 25; i < 35; i++) {
            offline.add(publisher.publish("orders", i));
        }
        assertThat(publisher.outboxSize()).isEqualTo(30);
        Thread.sleep(200);
        assertThat(offline).noneMatch(CompletableFuture::isDone);

        int before = states.states.size();
        proxy.refuseNew(false);
        states.awaitOpen(before, Hubs.WAIT);

        for (int i = 0; i < unacked.size(); i++) {
            PublishResult r = unacked.get(i).get(10, TimeUnit.SECONDS);
            assertThat(r.duplicate()).as("re-send of #%d", i + 5).isTrue();
            assertThat(r.offset()).isEqualTo(i + 6L); // the offset of the first (and only) publication
        }
        for (int i = 0; i < offline.size(); i++) {
            PublishResult r = offline.get(i).get(10, TimeUnit.SECONDS);
            assertThat(r.duplicate()).isFalse();
            assertThat(r.offset()).isEqualTo(i + 26L);
        }
        assertThat(publisher.outboxSize()).isZero();

        watcher.awaitPublications(35, Hubs.WAIT);
        Thread.sleep(200);
        List<Publication> got = watcher.publications();
        assertThat(got).hasSize(35);
        for (int i = 0; i < 35; i++) {
            assertThat(got.get(i).data().asInt()).isEqualTo(i);
            assertThat(got.get(i).offset()).isEqualTo(i + 1L);
        }
        assertThat(publisher.history("orders").get(10, TimeUnit.SECONDS).publications()).hasSize(35);
    }

    private DuplexClient client(String uri, Recorder recorder) {
        DuplexClient c = Hubs.client(uri, recorder).build();
        clients.add(c);
        return c;
    }
}
