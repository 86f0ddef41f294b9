package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.session.HubSession;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.websocket.WebSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A consumer that stops reading, next to one that reads, on a channel with a fast publisher and a
 * small outbound budget (64 KiB): under DISCONNECT the slow one goes (3002) and the other misses
 * nothing; under DROP_OLDEST and LATEST_PER_KEY the slow one stays and loses old publications only.
 */
class SlowConsumerTest extends HubTestBase {
    private static final String CHANNEL = "fast:feed";
    private static final int PUBLICATIONS = 3_000;
    private static final int KEYS = 10;
    private static final String PADDING = "x".repeat(1_000);

    private TestHubClient normal;
    private RawHubClient slow;
    private String slowId;

    private void startWith(SlowConsumerPolicy policy) throws Exception {
        HubConfig config = HubConfig.builder()
                .commandRate(1_000_000, 1_000_000)
                .maxQueuedBytes(64 * 1024)
                .namespace("fast", NamespaceConfig.builder().slowConsumer(policy).build())
                .build();
        start(HubServer.builder().config(config).options(WebSocketOptions.defaults()
                .withPingInterval(config.heartbeat())
                .withPongTimeout(config.heartbeat())
                // a consumer that reads nothing never answers the close handshake: don't wait long
                .withCloseTimeout(Duration.ofSeconds(1))
                // The kernel would otherwise grow the slow connection's send buffer to megabytes
                // (tcp_wmem), hiding the slow consumer from the hub for most of the test.
                .withSocketBufferBytes(256 * 1024, 0)));
        normal = connect();
        normal.subscribe(CHANNEL);
        slow = track(new RawHubClient(server.port(), 4096));
        slow.send(new Command.Connect(1L, null, "slow", "1", null));
        slowId = slow.expect(ServerMessage.Connected.class).client();
        slow.send(new Command.Subscribe(2L, CHANNEL, null, null));
        slow.expect(ServerMessage.Subscribed.class);
        // from here on the slow client reads nothing
    }

    @Test
    void disconnectPolicyDropsTheSlowConsumerAndNobodyElse() throws Exception {
        startWith(SlowConsumerPolicy.DISCONNECT);
        publishAll();
        assertThat(eventually(10_000, () -> !connected(slowId))).as("the slow consumer's session is gone").isTrue();
        assertThat(connected(normal.clientId())).isTrue();
        assertThat(Scrape.value(hub(), "duplex_slow_consumer_total{policy=\"disconnect\"}")).isEqualTo(1);
        assertThat(Scrape.value(hub(), "duplex_disconnects_total{code=\"3002\"}")).isEqualTo(1);
        assertEveryPublicationInOrder(normal);
        assertThat(hub().channels()).containsEntry(CHANNEL, 1);
    }

    @Test
    void dropOldestKeepsTheSlowConsumerAndCountsDrops() throws Exception {
        startWith(SlowConsumerPolicy.DROP_OLDEST);
        publishAll();
        assertEveryPublicationInOrder(normal);
        HubSession.Stats stats = stats(slowId);
        assertThat(stats).as("the slow consumer is still connected").isNotNull();
        assertThat(stats.dropped()).isPositive();
        assertThat(Scrape.value(hub(), "duplex_slow_consumer_total{policy=\"drop_oldest\"}")).isEqualTo(stats.dropped());
        assertThat(Scrape.value(hub(), "duplex_disconnects_total{code=\"3002\"}")).isZero();

        // Reading again, it gets what was kept: increasing offsets with gaps, up to the newest.
        List<Long> offsets = readUntilLast();
        assertThat(offsets).isSorted().doesNotHaveDuplicates();
        assertThat(offsets.size()).isLessThan(PUBLICATIONS);
        assertThat(offsets.get(offsets.size() - 1)).isEqualTo(PUBLICATIONS);
        assertThat(offsets.size() + stats(slowId).dropped()).isEqualTo(PUBLICATIONS);
    }

    @Test
    void latestPerKeyKeepsTheSlowConsumerAndTheNewestValueOfEveryKey() throws Exception {
        startWith(SlowConsumerPolicy.LATEST_PER_KEY);
        publishAll();
        assertEveryPublicationInOrder(normal);
        HubSession.Stats stats = stats(slowId);
        assertThat(stats).as("the slow consumer is still connected").isNotNull();
        assertThat(stats.dropped()).isPositive();
        assertThat(Scrape.value(hub(), "duplex_slow_consumer_total{policy=\"latest_per_key\"}")).isEqualTo(stats.dropped());
        assertThat(Scrape.value(hub(), "duplex_disconnects_total{code=\"3002\"}")).isZero();

        Map<String, Long> lastByKey = new HashMap<>();
        List<Long> offsets = new ArrayList<>();
        for (Publication p : readPublicationsUntilLast()) {
            offsets.add(p.offset());
            lastByKey.put(p.key(), p.offset());
        }
        assertThat(offsets).isSorted().doesNotHaveDuplicates();
        // the newest publication of every key arrived
        for (long offset = PUBLICATIONS - KEYS + 1; offset <= PUBLICATIONS; offset++) {
            assertThat(lastByKey).containsEntry(key(offset), offset);
        }
    }

    /** Publishes {@link #PUBLICATIONS} of about 1 KiB as fast as acks allow, 200 in flight. */
    private void publishAll() throws Exception {
        TestHubClient publisher = connect();
        long acked = 0;
        for (long i = 1; i <= PUBLICATIONS; i++) {
            // The consumer that reads must keep up however busy this machine is (its reader thread
            // may wait for a core): publish no faster than it drains, so that its queue stays far
            // below the 64 KiB budget (at most 16 KiB queued plus 20 publications on their way),
            // while the consumer that reads nothing still passes it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (queued(normal.clientId()) > 16 * 1024 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            ObjectNode data = JsonNodeFactory.instance.objectNode().put("n", i).put("pad", PADDING);
            publisher.send(new Command.Publish(1_000_000 + i, CHANNEL, data, null, key(i)));
            while (i - acked > 20 || (i == PUBLICATIONS && acked < PUBLICATIONS)) {
                ServerMessage.Ack ack = publisher.expect(ServerMessage.Ack.class);
                acked = ack.offset();
            }
        }
    }

    private static String key(long offset) {
        return "k" + (offset % KEYS);
    }

    private static void assertEveryPublicationInOrder(TestHubClient c) throws InterruptedException {
        List<Long> offsets = new ArrayList<>();
        while (offsets.size() < PUBLICATIONS) {
            Publication p = c.expect(Publication.class);
            offsets.add(p.offset());
        }
        assertThat(offsets).containsExactlyElementsOf(LongStream.rangeClosed(1, PUBLICATIONS).boxed().toList());
    }

    private List<Long> readUntilLast() throws Exception {
        return readPublicationsUntilLast().stream().map(Publication::offset).toList();
    }

    private List<Publication> readPublicationsUntilLast() throws Exception {
        List<Publication> got = new ArrayList<>();
        while (got.isEmpty() || got.get(got.size() - 1).offset() < PUBLICATIONS) {
            got.add(slow.expect(Publication.class));
        }
        return got;
    }

    private long queued(String client) {
        HubSession.Stats stats = stats(client);
        return stats == null ? 0 : stats.queuedBytes();
    }

    private boolean connected(String client) {
        return stats(client) != null;
    }

    private HubSession.Stats stats(String client) {
        return hub().connections().stream().filter(s -> s.client().equals(client)).findFirst().orElse(null);
    }
}
