package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.testkit.FaultProxy;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hub with a small connection queue answers large recoveries and histories in pages (PROTOCOL.md,
 * "Streams, history and recovery"): the client still delivers every publication exactly once, and
 * history() still returns all that was asked for.
 */
class PagingTest {
    /** A reply carries at most a quarter of it: about a dozen of these publications. */
    private static final long QUEUE_BYTES = 32 * 1024;
    private static final String TEXT = "x".repeat(500);

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

    private void startHub() {
        server = HubServer.start(Hubs.fast().maxQueuedBytes(QUEUE_BYTES).build(), 0);
    }

    /** Publishes {@code count} publications (n = 1, 2, …), at most 20 waiting for their ack at a time. */
    private static List<PublishResult> publish(DuplexClient publisher, int from, int count) throws Exception {
        Semaphore inFlight = new Semaphore(20);
        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        for (int n = from; n < from + count; n++) {
            assertThat(inFlight.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<PublishResult> f = publisher.publish("feed", Map.of("n", n, "text", TEXT));
            f.whenComplete((r, e) -> inFlight.release());
            futures.add(f);
        }
        List<PublishResult> results = new ArrayList<>();
        for (CompletableFuture<PublishResult> f : futures) {
            results.add(f.get(20, TimeUnit.SECONDS));
        }
        return results;
    }

    @ParameterizedTest
    @ValueSource(strings = {HubCodec.JSON_SUBPROTOCOL, HubCodec.MSGPACK_SUBPROTOCOL})
    void aLargeRecoveryArrivesInPagesAndIsDeliveredExactlyOnceAcrossADropInTheMiddle(String format) throws Exception {
        startHub();
        FaultProxy proxy = track(new FaultProxy(server.port()));
        AtomicBoolean dropOnRecovery = new AtomicBoolean(true);
        DuplexClient[] subscriberRef = new DuplexClient[1];
        Recorder sub = new Recorder();
        SubscriptionListener listener = new SubscriptionListener() {
            @Override
            public void onSubscribed(Subscription subscription, boolean recovered, StreamPosition position) {
                sub.onSubscribed(subscription, recovered, position);
                // The first recovery is cut short: the client must resume from where it got to.
                if (recovered && dropOnRecovery.getAndSet(false)) {
                    subscriberRef[0].disconnectNow();
                }
            }

            @Override
            public void onPublication(Subscription subscription, Publication publication) {
                sub.onPublication(subscription, publication);
            }

            @Override
            public void onUnrecoverable(Subscription subscription, StreamPosition position) {
                sub.onUnrecoverable(subscription, position);
            }

            @Override
            public void onError(Subscription subscription, DuplexClientException error) {
                sub.onError(subscription, error);
            }
        };
        DuplexClient subscriber = track(Hubs.client(Hubs.uri(proxy), sub).codec(HubCodec.forSubprotocol(format)).build());
        subscriberRef[0] = subscriber;
        DuplexClient publisher = track(Hubs.client(Hubs.uri(server), null).build());
        subscriber.subscribe("feed", listener);
        subscriber.connect().get(10, TimeUnit.SECONDS);
        publisher.connect().get(10, TimeUnit.SECONDS);
        sub.await("subscribed", Hubs.WAIT, () -> !sub.subscribed.isEmpty());
        publish(publisher, 1, 3);
        sub.awaitPublications(3, Hubs.WAIT);

        // Offline while 600 more are published: far more than one reply holds.
        proxy.refuseNew(true);
        proxy.dropAll();
        sub.awaitState(0, e -> e.state() == ConnectionState.CLOSED, Hubs.WAIT);
        int total = 603;
        publish(publisher, 4, total - 3);
        proxy.refuseNew(false);

        sub.awaitPublications(total, Duration.ofSeconds(30));
        Thread.sleep(300); // anything late and extra would show up now
        List<Publication> got = sub.publications();
        assertThat(got).hasSize(total);
        for (int i = 0; i < total; i++) {
            assertThat(got.get(i).offset()).as("offset #%d", i).isEqualTo(i + 1L);
            assertThat(got.get(i).data().get("n").asInt()).as("value #%d", i).isEqualTo(i + 1);
        }
        assertThat(sub.subscribed).as("the first subscribe, then recovered resubscribes").startsWith(false, true)
                .hasSizeGreaterThanOrEqualTo(3).containsOnlyOnce(false);
        // The first recovery reply brought the client only part of the way: the rest came in pages.
        assertThat(sub.subscribedPositions.get(1).offset()).isBetween(4L, total - 1L);
        assertThat(sub.unrecoverable).isEmpty();
        assertThat(sub.errors).isEmpty();
        assertThat(subscriber.subscription("feed").orElseThrow().position().offset()).isEqualTo(total);
        sub.assertCallbackThreadsOnly();
    }

    @Test
    void historyReadsEveryPageOfWhatWasAskedFor() throws Exception {
        startHub();
        DuplexClient client = track(Hubs.client(Hubs.uri(server), null).build());
        client.connect().get(10, TimeUnit.SECONDS);
        List<PublishResult> published = publish(client, 1, 300);
        String epoch = published.get(0).epoch();

        HistoryResult all = client.history("feed").get(20, TimeUnit.SECONDS);
        assertThat(all.publications()).hasSize(300);
        for (int i = 0; i < 300; i++) {
            assertThat(all.publications().get(i).offset()).isEqualTo(i + 1L);
        }
        assertThat(all.position()).isEqualTo(new StreamPosition(300, epoch));

        HistoryResult some = client.history("feed", new StreamPosition(100, epoch), 150).get(20, TimeUnit.SECONDS);
        assertThat(some.publications()).extracting(Publication::offset).hasSize(150).startsWith(101L).endsWith(250L);
        assertThat(some.position()).isEqualTo(new StreamPosition(300, epoch));
    }
}
