package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression (security review 2026-12, finding 7): replies could use the connection's whole queue,
 * so reading a history larger than that (40 × 60 KB) disconnected the reader with 3002, and a client
 * that recovered such a gap on reconnect looped forever. History and recovery now come in pages
 * bounded in bytes; recovery of a large gap converges, exactly once and in order.
 */
class HistoryPagingTest extends HubTestBase {
    private static final int COUNT = 40;
    private static final String BIG = "x".repeat(60_000);

    private void publishBig(String channel, int from) throws Exception {
        for (int i = from; i < from + COUNT; i++) {
            hub().publish(channel, TextNode.valueOf(i + ":" + BIG), null).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLargeHistoryIsReadInPagesWithoutDisconnectingTheReader() throws Exception {
        start(HubConfig.defaults());
        publishBig("log", 0);
        TestHubClient reader = connect();
        List<Long> offsets = new ArrayList<>();
        StreamPosition since = null;
        int pages = 0;
        while (true) {
            long id = reader.nextId();
            reader.send(new Command.History(id, "log", since, null));
            ServerMessage.HistoryResult page = (ServerMessage.HistoryResult) reader.reply(id);
            pages++;
            assertThat(page.publications()).isNotEmpty();
            long bytes = page.publications().stream().mapToLong(p -> p.data().asText().length()).sum();
            assertThat(bytes).as("page %d's data", pages).isLessThanOrEqualTo((1 << 20) / 4);
            page.publications().forEach(p -> offsets.add(p.offset()));
            long last = page.publications().get(page.publications().size() - 1).offset();
            if (page.more() == null) {
                assertThat(last).isEqualTo(page.offset());
                break;
            }
            assertThat(page.more()).isTrue();
            since = new StreamPosition(last, page.epoch());
            assertThat(pages).as("pages for %d publications", COUNT).isLessThan(COUNT);
        }
        assertThat(pages).isGreaterThan(1);
        assertThat(offsets).hasSize(COUNT).isSorted().doesNotHaveDuplicates();
        reader.roundTrip();
        assertThat(reader.isOpen()).as("no 3002 for reading history").isTrue();
    }

    @Test
    void recoveringALargeGapConvergesExactlyOnceAndInOrder() throws Exception {
        start(HubConfig.defaults());
        TestHubClient first = track(new TestHubClient(server.port(), HubCodec.JSON));
        first.connect(null);
        ServerMessage.Subscribed subscribed = first.subscribe("feed");
        StreamPosition position = new StreamPosition(subscribed.offset(), subscribed.epoch());
        first.close(); // dropped
        publishBig("feed", 0);

        TestHubClient back = track(new TestHubClient(server.port(), HubCodec.JSON));
        ServerMessage.Connected connected = back.connect(null, Map.of("feed", position));
        ServerMessage.Subscribed resumed = connected.subs().get("feed");
        assertThat(resumed.recovered()).isTrue();
        assertThat(resumed.publications().size()).as("the first page").isLessThan(COUNT);
        assertThat(resumed.offset()).as("the position the reply brings").isEqualTo(
                resumed.publications().get(resumed.publications().size() - 1).offset());
        // Live publications made while the rest is paged in come after it, in order.
        hub().publish("feed", TextNode.valueOf("live"), null).get(5, TimeUnit.SECONDS);
        List<Long> offsets = new ArrayList<>();
        resumed.publications().forEach(p -> offsets.add(p.offset()));
        while (offsets.size() < COUNT + 1) {
            Publication p = back.expect(Publication.class);
            offsets.add(p.offset());
            if (p.offset() == COUNT + 1) {
                assertThat(p.data().asText()).isEqualTo("live");
            }
        }
        assertThat(offsets).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, COUNT + 1).boxed().toList());
        back.roundTrip();
        assertThat(back.received()).noneMatch(m -> m instanceof ServerMessage.Disconnect);
    }

    /** The same class of defect in presence: a crowded channel's list is cut to a reply's worth, with the total. */
    @Test
    void aCrowdedPresenceListIsCutWithItsTotal() throws Exception {
        start(HubConfig.builder().maxQueuedBytes(4_096).build()); // a reply may carry 1 KiB
        List<TestHubClient> crowd = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            TestHubClient c = connect();
            c.subscribe("room");
            crowd.add(c);
        }
        TestHubClient reader = crowd.get(0);
        long id = reader.nextId();
        reader.send(new Command.Presence(id, "room"));
        ServerMessage.PresenceResult presence = (ServerMessage.PresenceResult) reader.reply(id);
        assertThat(presence.clients().size()).isBetween(1, 29);
        assertThat(presence.total()).isEqualTo(30);
        reader.roundTrip();
        assertThat(reader.isOpen()).isTrue();
    }

    @Test
    void aSubscribeWithSinceIsPagedToo() throws Exception {
        start(HubConfig.defaults());
        TestHubClient c = connect();
        ServerMessage.Subscribed first = c.subscribe("news");
        long u = c.nextId();
        c.send(new Command.Unsubscribe(u, "news"));
        c.reply(u);
        publishBig("news", 0);
        long id = c.nextId();
        c.send(new Command.Subscribe(id, "news", null, new StreamPosition(first.offset(), first.epoch())));
        ServerMessage.Subscribed again = (ServerMessage.Subscribed) c.reply(id);
        List<Long> offsets = new ArrayList<>();
        again.publications().forEach(p -> offsets.add(p.offset()));
        while (offsets.size() < COUNT) {
            offsets.add(c.expect(Publication.class).offset());
        }
        assertThat(offsets).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, COUNT).boxed().toList());
    }
}
