package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.MemoryBroker;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression (security review 2026-12, finding 2): anonymous clients could publish to any number of
 * channels, each keeping its history as decoded trees (30 publications of 63 KB of
 * {@code [{},{},…]} grew the live heap by 51 MB), with no node-wide bound, and reading a name
 * nobody published to created a stream. History is now kept encoded and counted by its encoded size
 * under node-wide budgets of bytes and streams, refused with error 106 and counted in metrics.
 */
class HistoryBudgetTest extends HubTestBase {
    /** 63 KB of {@code [{},{},…]}: cheap to encode, costly as a tree of small objects. */
    private static final String MANY_OBJECTS = "[" + "{},".repeat(21_000) + "{}]";

    private MemoryBroker broker() {
        return (MemoryBroker) hub().broker();
    }

    private ServerMessage publishRaw(TestHubClient c, String channel, String json) throws Exception {
        long id = c.nextId();
        c.sendText("{\"type\":\"publish\",\"id\":" + id + ",\"channel\":\"" + channel + "\",\"data\":" + json + "}");
        return c.reply(id);
    }

    @Test
    void historyIsKeptEncodedAndCountedAtItsEncodedSize() throws Exception {
        start(HubConfig.defaults());
        TestHubClient c = connect();
        int encoded = MANY_OBJECTS.getBytes(StandardCharsets.UTF_8).length;
        for (int i = 0; i < 30; i++) {
            assertThat(publishRaw(c, "room-" + i, MANY_OBJECTS)).isInstanceOf(ServerMessage.Ack.class);
        }
        long counted = broker().historyBytes();
        assertThat(counted).as("bytes counted for 30 publications of %d bytes", encoded)
                .isBetween(30L * encoded, 30L * encoded + 30L * 4_096);
        HistoryPage page = hub().history("room-7", null, 10).get(5, TimeUnit.SECONDS);
        Publication kept = page.publications().get(0);
        assertThat(kept.payload().encoded()).as("kept as bytes, not as a tree").isTrue();
        assertThat(kept.payload().size()).isEqualTo(encoded);
        assertThat(kept.data().size()).as("and it still reads back").isEqualTo(21_001);
    }

    @Test
    void aNodeWideHistoryBudgetRefusesWith106AndCountsIt() throws Exception {
        start(HubConfig.builder().historyMemoryBytes(1L << 20)
                .namespace("one", NamespaceConfig.builder().historySize(1).build()).build());
        TestHubClient c = connect();
        TestHubClient watcher = connect();
        watcher.subscribe("one:latest");
        int accepted = 0;
        ServerMessage refused = null;
        for (int i = 0; i < 40 && refused == null; i++) {
            ServerMessage reply = publishRaw(c, "filler-" + i, MANY_OBJECTS);
            if (reply instanceof ServerMessage.Ack) {
                accepted++;
            } else {
                refused = reply;
            }
        }
        assertThat(accepted).as("63 KB publications that fit in 1 MiB").isBetween(14, 16);
        assertThat(refused).isInstanceOf(ServerMessage.Error.class);
        ServerMessage.Error error = (ServerMessage.Error) refused;
        assertThat(error.code()).isEqualTo(106);
        assertThat(error.message()).contains("hub.history_memory_bytes");
        assertThat(broker().historyBytes()).isLessThanOrEqualTo(1L << 20);
        assertThat(Scrape.value(hub(), "duplex_capacity_refusals_total{limit=\"history_memory\"}")).isEqualTo(1);
        assertThat(Scrape.value(hub(), "duplex_history_bytes")).isEqualTo(broker().historyBytes());

        // Publications that need no more room than what they replace still go through.
        for (int i = 0; i < 5; i++) {
            assertThat(publishRaw(c, "one:latest", "\"v" + i + "\"")).as("publication %d", i).isInstanceOf(ServerMessage.Ack.class);
            assertThat(watcher.expect(Publication.class).data().asText()).isEqualTo("v" + i);
        }
        // What is not retained is not counted: a channel without history publishes freely.
        start(HubConfig.builder().historyMemoryBytes(0).defaultNamespace(NamespaceConfig.builder().historySize(0).build()).build());
        TestHubClient free = connect();
        assertThat(publishRaw(free, "news", MANY_OBJECTS)).isInstanceOf(ServerMessage.Ack.class);
    }

    @Test
    void aNodeWideStreamBudgetAndReadsCreateNoStream() throws Exception {
        start(HubConfig.builder().maxStreams(3).build());
        TestHubClient c = connect();
        for (int i = 0; i < 3; i++) {
            assertThat(publishRaw(c, "s" + i, "1")).isInstanceOf(ServerMessage.Ack.class);
        }
        ServerMessage.Error full = (ServerMessage.Error) publishRaw(c, "s3", "1");
        assertThat(full.code()).isEqualTo(106);
        assertThat(full.message()).contains("hub.max_streams");
        assertThat(Scrape.value(hub(), "duplex_capacity_refusals_total{limit=\"streams\"}")).isEqualTo(1);

        // Reading history or presence of names nobody published to makes no stream.
        for (int i = 0; i < 20; i++) {
            long h = c.nextId();
            c.send(new Command.History(h, "never-" + i, null, null));
            ServerMessage.HistoryResult empty = (ServerMessage.HistoryResult) c.reply(h);
            assertThat(empty.publications()).isEmpty();
            long p = c.nextId();
            c.send(new Command.Presence(p, "never-" + i));
            assertThat(c.reply(p)).isInstanceOf(ServerMessage.PresenceResult.class);
        }
        assertThat(broker().streamCount()).isEqualTo(3);
        assertThat(c.error(new Command.Subscribe(c.nextId(), "new", null, null)).code())
                .as("a subscription needs a stream too").isEqualTo(106);
        assertThat(c.isOpen()).isTrue();
    }

    @Test
    void anEmptyStreamNobodyWatchesMakesRoomForANewOne() throws Exception {
        start(HubConfig.builder().maxStreams(2).build());
        TestHubClient c = connect();
        assertThat(publishRaw(c, "used", "1")).isInstanceOf(ServerMessage.Ack.class);
        c.subscribe("quiet");                       // a stream for its epoch, nothing published
        long u = c.nextId();
        c.send(new Command.Unsubscribe(u, "quiet"));
        c.reply(u);
        assertThat(publishRaw(c, "fresh", "1")).as("the quiet channel's empty stream made way")
                .isInstanceOf(ServerMessage.Ack.class);
        assertThat(hub().history("used", null, 10).get(5, TimeUnit.SECONDS).offset()).as("history is never evicted").isEqualTo(1);
    }
}
