package dev.duplex.hub.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.broker.HistoryOptions;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.PublishRequest;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Payload;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every broker promises the hub ({@link Broker}'s contract), run against each implementation:
 * the in-memory broker and the Redis broker must be interchangeable.
 */
abstract class BrokerContractTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final HistoryOptions HISTORY = new HistoryOptions(5, Duration.ofMinutes(5), Duration.ofHours(1));

    Broker broker;
    Recorder recorder;
    String channel;

    /** A fresh broker for one test (on a fresh key space, for a shared server). */
    abstract Broker newBroker() throws Exception;

    @BeforeEach
    void open() throws Exception {
        broker = newBroker();
        recorder = new Recorder();
        broker.listener(recorder);
        channel = "chat:" + UUID.randomUUID();
    }

    @AfterEach
    void closeBroker() {
        broker.close();
    }

    static Payload data(int n) {
        try {
            return Payload.json(JsonNodeFactory.instance.numberNode(n));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    PublishResult publish(String ch, int n, HistoryOptions history, String key) throws Exception {
        return broker.publish(new PublishRequest(ch, data(n), new ClientInfo("c1", "u1", null), null, history, key,
                key == null ? null : Duration.ofMinutes(1))).get(10, TimeUnit.SECONDS);
    }

    @Test
    void offsets_are_consecutive_in_one_epoch_and_delivered_in_order() throws Exception {
        broker.subscribe(channel).get(10, TimeUnit.SECONDS);
        String epoch = null;
        for (int i = 1; i <= 20; i++) {
            PublishResult r = publish(channel, i, HISTORY, null);
            assertThat(r.offset()).isEqualTo(i);
            assertThat(r.duplicate()).isFalse();
            if (epoch == null) {
                epoch = r.epoch();
            }
            assertThat(r.epoch()).isEqualTo(epoch).isNotEmpty();
        }
        assertThat(recorder.awaitPublications(channel, 20, WAIT)).isTrue();
        assertThat(recorder.offsets(channel)).containsExactlyElementsOf(range(1, 20));
        Publication first = recorder.of("publication", channel).get(0).publication();
        assertThat(first.payload().tree().asInt()).isEqualTo(1);
        assertThat(first.info().client()).isEqualTo("c1");
        assertThat(first.info().user()).isEqualTo("u1");
    }

    @Test
    void an_idempotency_key_seen_within_its_window_returns_the_first_result() throws Exception {
        PublishResult first = publish(channel, 1, HISTORY, "k-1");
        PublishResult again = publish(channel, 2, HISTORY, "k-1");
        PublishResult other = publish(channel, 3, HISTORY, "k-2");
        assertThat(again.duplicate()).isTrue();
        assertThat(again.offset()).isEqualTo(first.offset());
        assertThat(again.epoch()).isEqualTo(first.epoch());
        assertThat(other.offset()).isEqualTo(first.offset() + 1);
        HistoryPage page = broker.history(channel, null, 10, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(page.publications()).extracting(p -> p.payload().tree().asInt()).containsExactly(1, 3);
    }

    @Test
    void history_keeps_the_newest_publications_oldest_first() throws Exception {
        for (int i = 1; i <= 8; i++) {
            publish(channel, i, HISTORY, null);
        }
        HistoryPage all = broker.history(channel, null, 100, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(all.offset()).isEqualTo(8);
        assertThat(all.publications()).extracting(Publication::offset).containsExactly(4L, 5L, 6L, 7L, 8L);
        HistoryPage two = broker.history(channel, null, 2, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(two.publications()).extracting(Publication::offset).containsExactly(4L, 5L);
    }

    @Test
    void since_is_recoverable_only_within_the_window_and_the_epoch() throws Exception {
        for (int i = 1; i <= 8; i++) {
            publish(channel, i, HISTORY, null);
        }
        String epoch = broker.history(channel, null, 0, HISTORY).get(10, TimeUnit.SECONDS).epoch();
        HistoryPage fromSix = broker.history(channel, new StreamPosition(6, epoch), 100, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(fromSix.recoverable()).isTrue();
        assertThat(fromSix.publications()).extracting(Publication::offset).containsExactly(7L, 8L);
        HistoryPage fromThree = broker.history(channel, new StreamPosition(3, epoch), 100, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(fromThree.recoverable()).as("offset 4 is the oldest retained: 3 is the last one may miss").isTrue();
        HistoryPage fromTwo = broker.history(channel, new StreamPosition(2, epoch), 100, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(fromTwo.recoverable()).isFalse();
        assertThat(fromTwo.publications()).isEmpty();
        HistoryPage otherEpoch = broker.history(channel, new StreamPosition(6, "other"), 100, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(otherEpoch.recoverable()).isFalse();
        HistoryPage ahead = broker.history(channel, new StreamPosition(9, epoch), 100, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(ahead.recoverable()).isFalse();
        HistoryPage atTop = broker.history(channel, new StreamPosition(8, epoch), 100, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(atTop.recoverable()).isTrue();
        assertThat(atTop.publications()).isEmpty();
    }

    @Test
    void reading_never_creates_a_stream_and_recovering_does() throws Exception {
        HistoryPage none = broker.history(channel, null, 10, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(none.epoch()).isEmpty();
        assertThat(none.offset()).isZero();
        assertThat(none.recoverable()).isTrue();
        assertThat(broker.history(channel, new StreamPosition(0, ""), 10, HISTORY).get(10, TimeUnit.SECONDS).recoverable())
                .as("nothing retained: not recoverable from a position").isFalse();
        assertThat(broker.history(channel, null, 10, HISTORY).get(10, TimeUnit.SECONDS).epoch()).isEmpty();

        HistoryPage made = broker.recover(channel, null, 10, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(made.epoch()).isNotEmpty();
        assertThat(made.offset()).isZero();
        publish(channel, 1, HISTORY, null);
        publish(channel, 2, HISTORY, null);
        assertThat(publish(channel, 3, HISTORY, null).epoch()).as("the epoch a subscriber was told holds").isEqualTo(made.epoch());
        HistoryPage fromBefore = broker.recover(channel, new StreamPosition(0, ""), 10, HISTORY).get(10, TimeUnit.SECONDS);
        assertThat(fromBefore.recoverable()).as("a position read before the stream existed recovers from its start").isTrue();
        assertThat(fromBefore.publications()).extracting(Publication::offset).containsExactly(1L, 2L, 3L);
    }

    @Test
    void a_channel_without_history_numbers_but_keeps_nothing() throws Exception {
        publish(channel, 1, HistoryOptions.NONE, null);
        PublishResult second = publish(channel, 2, HistoryOptions.NONE, null);
        assertThat(second.offset()).isEqualTo(2);
        HistoryPage page = broker.history(channel, null, 10, HistoryOptions.NONE).get(10, TimeUnit.SECONDS);
        assertThat(page.offset()).isEqualTo(2);
        assertThat(page.publications()).isEmpty();
        assertThat(broker.history(channel, new StreamPosition(1, second.epoch()), 10, HistoryOptions.NONE)
                .get(10, TimeUnit.SECONDS).recoverable()).isFalse();
    }

    @Test
    void history_expires_by_age() throws Exception {
        HistoryOptions shortLived = new HistoryOptions(10, Duration.ofMillis(300), Duration.ofHours(1));
        publish(channel, 1, shortLived, null);
        assertThat(broker.history(channel, null, 10, shortLived).get(10, TimeUnit.SECONDS).publications()).hasSize(1);
        long deadline = System.nanoTime() + WAIT.toNanos();
        HistoryPage page;
        do {
            Thread.sleep(50); // waiting for an age to pass, not for a thread
            page = broker.history(channel, null, 10, shortLived).get(10, TimeUnit.SECONDS);
        } while (!page.publications().isEmpty() && System.nanoTime() < deadline);
        assertThat(page.publications()).isEmpty();
        assertThat(page.offset()).as("the position outlives the history").isEqualTo(1);
    }

    @Test
    void presence_lists_members_until_they_leave() throws Exception {
        ClientInfo a = new ClientInfo("a", "ua", JsonNodeFactory.instance.objectNode().put("name", "Ann"));
        ClientInfo b = new ClientInfo("b", "ub", null);
        broker.addPresence(channel, a).get(10, TimeUnit.SECONDS);
        broker.addPresence(channel, b).get(10, TimeUnit.SECONDS);
        List<ClientInfo> both = broker.presence(channel).get(10, TimeUnit.SECONDS);
        assertThat(both).extracting(ClientInfo::client).containsExactlyInAnyOrder("a", "b");
        assertThat(both.stream().filter(c -> c.client().equals("a")).findFirst().orElseThrow().info().path("name").asText())
                .isEqualTo("Ann");
        broker.removePresence(channel, "a").get(10, TimeUnit.SECONDS);
        assertThat(broker.presence(channel).get(10, TimeUnit.SECONDS)).extracting(ClientInfo::client).containsExactly("b");
    }

    @Test
    void joins_and_leaves_reach_a_subscribed_node() throws Exception {
        broker.subscribe(channel).get(10, TimeUnit.SECONDS);
        ClientInfo a = new ClientInfo("a", "ua", null);
        broker.publishJoin(channel, a);
        broker.publishLeave(channel, a);
        assertThat(recorder.await(events -> events.stream().filter(e -> e.channel().equals(channel)).count() >= 2, WAIT)).isTrue();
        assertThat(recorder.events()).extracting(Recorder.Event::kind).containsExactly("join", "leave");
        assertThat(recorder.of("join", channel).get(0).info().client()).isEqualTo("a");
    }

    @Test
    void an_unsubscribed_node_receives_nothing() throws Exception {
        broker.subscribe(channel).get(10, TimeUnit.SECONDS);
        publish(channel, 1, HISTORY, null);
        assertThat(recorder.awaitPublications(channel, 1, WAIT)).isTrue();
        broker.unsubscribe(channel).get(10, TimeUnit.SECONDS);
        String marker = "chat:" + UUID.randomUUID();
        broker.subscribe(marker).get(10, TimeUnit.SECONDS);
        publish(channel, 2, HISTORY, null);
        publish(marker, 1, HISTORY, null);
        // The marker's publication came after the other one: once it is here, the other one would be too.
        assertThat(recorder.awaitPublications(marker, 1, WAIT)).isTrue();
        assertThat(recorder.offsets(channel)).containsExactly(1L);
    }

    static List<Long> range(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
    }
}
