package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The history command: offsets, limit, since, the size and TTL of the window, and history off. */
class HistoryTest extends HubTestBase {
    private TestHubClient client;

    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());

    @BeforeEach
    void startHub() throws Exception {
        start(HubConfig.builder()
                .commandRate(10_000, 10_000)
                .namespace("h", NamespaceConfig.defaults())
                .namespace("small", NamespaceConfig.builder().historySize(5).build())
                .namespace("short", NamespaceConfig.builder().historyTtl(Duration.ofMillis(200)).build())
                .namespace("none", NamespaceConfig.builder().historySize(0).build())
                .build(), clock);
        client = connect();
    }

    @Test
    void historyHasOffsetsOneToNAndHonoursLimitAndSince() throws Exception {
        String epoch = publish("h:a", 10);

        ServerMessage.HistoryResult all = history("h:a", null, null);
        assertThat(all.epoch()).isEqualTo(epoch);
        assertThat(all.offset()).isEqualTo(10);
        assertThat(all.publications()).extracting(Publication::offset).containsExactlyElementsOf(range(1, 10));
        assertThat(all.publications()).extracting(p -> p.data().asInt()).containsExactlyElementsOf(
                range(1, 10).stream().map(Long::intValue).toList());
        assertThat(all.publications()).allMatch(p -> p.info().client().equals(client.clientId()));

        assertThat(history("h:a", null, 3).publications()).extracting(Publication::offset).containsExactly(1L, 2L, 3L);
        ServerMessage.HistoryResult since = history("h:a", new StreamPosition(6, epoch), null);
        assertThat(since.publications()).extracting(Publication::offset).containsExactly(7L, 8L, 9L, 10L);
        assertThat(since.offset()).isEqualTo(10);
        assertThat(history("h:a", new StreamPosition(6, epoch), 2).publications()).extracting(Publication::offset)
                .containsExactly(7L, 8L);
        assertThat(history("h:a", new StreamPosition(10, epoch), null).publications()).isEmpty();
        assertThat(history("h:a", null, 0).publications()).isEmpty();

        // A channel nobody published to: an empty stream at offset 0.
        ServerMessage.HistoryResult empty = history("h:b", null, null);
        assertThat(empty.offset()).isZero();
        assertThat(empty.publications()).isEmpty();
    }

    @Test
    void historyKeepsTheLastNAndSinceBeforeTheWindowIsUnrecoverable() throws Exception {
        String epoch = publish("small:a", 12);
        ServerMessage.HistoryResult all = history("small:a", null, null);
        assertThat(all.publications()).extracting(Publication::offset).containsExactlyElementsOf(range(8, 12));
        assertThat(all.offset()).isEqualTo(12);

        // Offset 7 is the last one before the window: everything after it is still there.
        assertThat(history("small:a", new StreamPosition(7, epoch), null).publications())
                .extracting(Publication::offset).containsExactlyElementsOf(range(8, 12));
        // Offset 6: publication 7 is gone, so the reader would miss it.
        ServerMessage.Error gone = client.error(new Command.History(client.nextId(), "small:a", new StreamPosition(6, epoch), null));
        assertThat(gone.code()).isEqualTo(115);
        ServerMessage.Error otherEpoch = client.error(new Command.History(client.nextId(), "small:a", new StreamPosition(11, "nope"), null));
        assertThat(otherEpoch.code()).isEqualTo(115);
        ServerMessage.Error future = client.error(new Command.History(client.nextId(), "small:a", new StreamPosition(13, epoch), null));
        assertThat(future.code()).isEqualTo(115);
        // A limit above the window's size is cut to it.
        assertThat(history("small:a", null, 1000).publications()).hasSize(5);
        client.roundTrip(); // errors left the connection open
    }

    @Test
    void historyExpiresAfterItsTtl() throws Exception {
        String epoch = publish("short:a", 3);
        assertThat(history("short:a", null, null).publications()).hasSize(3);
        clock.addAndGet(201); // past the 200 ms TTL on the broker's clock
        ServerMessage.HistoryResult later = history("short:a", null, null);
        assertThat(later.publications()).isEmpty();
        assertThat(later.offset()).isEqualTo(3);
        assertThat(later.epoch()).isEqualTo(epoch);
        // Caught up at 3: nothing missed, nothing to return.
        assertThat(history("short:a", new StreamPosition(3, epoch), null).publications()).isEmpty();
        // At 1: publications 2 and 3 expired, so that position cannot be continued.
        assertThat(client.error(new Command.History(client.nextId(), "short:a", new StreamPosition(1, epoch), null)).code())
                .isEqualTo(115);
        // The stream goes on where it was.
        assertThat(publish("short:a", 1)).isEqualTo(epoch);
        assertThat(history("short:a", new StreamPosition(3, epoch), null).publications())
                .extracting(Publication::offset).containsExactly(4L);
    }

    @Test
    void historyOffIsNotAvailable() throws Exception {
        publish("none:a", 2);
        ServerMessage.Error error = client.error(new Command.History(client.nextId(), "none:a", null, null));
        assertThat(error.code()).isEqualTo(108);
        assertThat(error.message()).contains("none:a");
    }

    /** Publishes the integers 1..count; returns the epoch. */
    private String publish(String channel, int count) throws InterruptedException {
        String epoch = null;
        for (int i = 0; i < count; i++) {
            long id = client.nextId();
            client.send(new Command.Publish(id, channel, IntNode.valueOf(i + 1), null, null));
            ServerMessage.Ack ack = (ServerMessage.Ack) client.reply(id);
            epoch = ack.epoch();
        }
        return epoch;
    }

    private ServerMessage.HistoryResult history(String channel, StreamPosition since, Integer limit) throws InterruptedException {
        long id = client.nextId();
        client.send(new Command.History(id, channel, since, limit));
        ServerMessage reply = client.reply(id);
        assertThat(reply).isInstanceOf(ServerMessage.HistoryResult.class);
        return (ServerMessage.HistoryResult) reply;
    }

    private static java.util.List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }
}
