package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.testkit.FaultProxy;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exactly-once delivery across abrupt connection drops, and the honest gap when history cannot cover it. */
class RecoveryTest {
    private static final int PUBLICATIONS = 2_500;

    private HubServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        if (server != null) {
            server.close();
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    @Test
    void noLossAndNoDuplicatesAcrossRepeatedDrops() throws Exception {
        exactlyOnceAcrossDrops(HubCodec.JSON);
    }

    @Test
    void noLossAndNoDuplicatesAcrossRepeatedDropsInMessagePack() throws Exception {
        exactlyOnceAcrossDrops(HubCodec.MSGPACK);
    }

    private void exactlyOnceAcrossDrops(HubCodec codec) throws Exception {
        server = HubServer.start(Hubs.fast().build(), 0);
        FaultProxy proxy = track(new FaultProxy(server.port()));
        Recorder sub = new Recorder();
        DuplexClient subscriber = track(Hubs.client(Hubs.uri(proxy), sub).codec(codec).build());
        DuplexClient publisher = track(Hubs.client(Hubs.uri(server), null).build());
        subscriber.subscribe("feed", sub);
        subscriber.connect().get(10, TimeUnit.SECONDS);
        publisher.connect().get(10, TimeUnit.SECONDS);
        sub.await("subscribed", Hubs.WAIT, () -> !sub.subscribed.isEmpty());

        // Drops while the publisher publishes: the client's own abort, and network resets.
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicInteger drops = new AtomicInteger();
        AtomicReference<Throwable> chaosFailure = new AtomicReference<>();
        Thread chaos = new Thread(() -> {
            try {
                java.util.Random random = new java.util.Random(3);
                while (publishing.get()) {
                    Thread.sleep(40 + random.nextInt(80));
                    if (subscriber.state() != ConnectionState.OPEN) {
                        continue;
                    }
                    if (drops.incrementAndGet() % 2 == 0) {
                        proxy.dropAll();
                    } else {
                        subscriber.disconnectNow();
                    }
                }
            } catch (Throwable t) {
                chaosFailure.set(t);
            }
        }, "chaos");
        chaos.start();

        Semaphore inFlight = new Semaphore(200);
        ConcurrentLinkedQueue<PublishResult> acks = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        for (int i = 1; i <= PUBLICATIONS; i++) {
            assertThat(inFlight.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<PublishResult> f = publisher.publish("feed", java.util.Map.of("n", i));
            f.whenComplete((ack, error) -> {
                if (ack != null) {
                    acks.add(ack);
                }
                inFlight.release();
            });
            futures.add(f);
            if (i % 50 == 0) {
                Thread.sleep(20); // spread the publishing over about a second, so drops land in the middle of it
            }
        }
        for (CompletableFuture<PublishResult> f : futures) {
            f.get(20, TimeUnit.SECONDS);
        }
        publishing.set(false);
        chaos.join(5_000);
        assertThat(chaosFailure.get()).isNull();

        sub.awaitPublications(PUBLICATIONS, Duration.ofSeconds(30));
        Thread.sleep(300); // anything late and extra would show up now

        List<Publication> got = sub.publications();
        assertThat(got).hasSize(PUBLICATIONS);
        for (int i = 0; i < PUBLICATIONS; i++) {
            assertThat(got.get(i).offset()).as("offset #%d", i).isEqualTo(i + 1L);
            assertThat(got.get(i).data().get("n").asInt()).as("value #%d", i).isEqualTo(i + 1);
        }
        assertThat(acks).extracting(PublishResult::duplicate).containsOnly(false);
        Set<Long> offsets = new HashSet<>();
        acks.forEach(a -> offsets.add(a.offset()));
        assertThat(offsets).hasSize(PUBLICATIONS);

        long reconnects = sub.countStates(e -> e.state() == ConnectionState.CLOSED && e.willReconnect());
        assertThat(drops.get()).isGreaterThanOrEqualTo(3);
        assertThat(reconnects).as("connections lost and resumed").isGreaterThanOrEqualTo(3);
        assertThat(sub.subscribed.stream().filter(Boolean::booleanValue).count())
                .as("recovered resubscribes").isGreaterThanOrEqualTo(2);
        assertThat(sub.unrecoverable).isEmpty();
        assertThat(sub.errors).isEmpty();
        assertThat(subscriber.subscription("feed").orElseThrow().position().offset()).isEqualTo(PUBLICATIONS);
        sub.assertCallbackThreadsOnly();
    }

    @Test
    void aGapLargerThanHistoryIsReportedAsUnrecoverableAndDeliveryContinues() throws Exception {
        server = HubServer.start(Hubs.fast().defaultNamespace(NamespaceConfig.builder().historySize(5).build()).build(), 0);
        FaultProxy proxy = track(new FaultProxy(server.port()));
        Recorder sub = new Recorder();
        DuplexClient subscriber = track(Hubs.client(Hubs.uri(proxy), sub).build());
        DuplexClient publisher = track(Hubs.client(Hubs.uri(server), null).build());
        subscriber.subscribe("feed", sub);
        subscriber.connect().get(10, TimeUnit.SECONDS);
        publisher.connect().get(10, TimeUnit.SECONDS);
        sub.await("subscribed", Hubs.WAIT, () -> !sub.subscribed.isEmpty());
        for (int i = 1; i <= 3; i++) {
            publisher.publish("feed", i).get(10, TimeUnit.SECONDS);
        }
        sub.awaitPublications(3, Hubs.WAIT);

        // Offline while 20 more are published: only the last 5 stay in history.
        proxy.refuseNew(true);
        proxy.dropAll();
        sub.awaitState(0, e -> e.state() == ConnectionState.CLOSED, Hubs.WAIT);
        PublishResult last = null;
        for (int i = 4; i <= 23; i++) {
            last = publisher.publish("feed", i).get(10, TimeUnit.SECONDS);
        }
        int before = sub.states.size();
        proxy.refuseNew(false);
        sub.awaitOpen(before, Hubs.WAIT);
        sub.await("the unrecoverable report and the resubscribe", Hubs.WAIT,
                () -> !sub.unrecoverable.isEmpty() && sub.subscribed.size() == 2);
        assertThat(sub.unrecoverable).containsExactly(new StreamPosition(23, last.epoch()));
        assertThat(sub.subscribed).containsExactly(false, false);

        publisher.publish("feed", 24).get(10, TimeUnit.SECONDS);
        sub.awaitPublications(4, Hubs.WAIT);
        assertThat(sub.publications()).extracting(p -> p.data().asInt()).containsExactly(1, 2, 3, 24);
        assertThat(subscriber.subscription("feed").orElseThrow().position()).isEqualTo(new StreamPosition(24, last.epoch()));
    }

    @Test
    void aPositionStoredByTheApplicationResumesANewClient() throws Exception {
        server = HubServer.start(Hubs.fast().build(), 0);
        DuplexClient publisher = track(Hubs.client(Hubs.uri(server), null).build());
        publisher.connect().get(10, TimeUnit.SECONDS);
        PublishResult third = null;
        for (int i = 1; i <= 6; i++) {
            PublishResult r = publisher.publish("feed", i).get(10, TimeUnit.SECONDS);
            if (i == 3) {
                third = r;
            }
        }
        Recorder sub = new Recorder();
        DuplexClient restarted = track(Hubs.client(Hubs.uri(server), null).build());
        restarted.subscribe("feed", sub, SubscriptionOptions.defaults().withSince(third.position()));
        restarted.connect().get(10, TimeUnit.SECONDS);
        sub.awaitPublications(3, Hubs.WAIT);
        assertThat(sub.subscribed).containsExactly(true);
        assertThat(sub.publications()).extracting(p -> p.data().asInt()).containsExactly(4, 5, 6);
    }
}
