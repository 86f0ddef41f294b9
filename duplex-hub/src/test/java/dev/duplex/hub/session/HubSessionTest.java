package dev.duplex.hub.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.SlowConsumerPolicy;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.protocol.FrameTrace;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The hub session driven directly: commands in, messages out, with no sockets, no threads and a
 * manual clock (see {@link SessionBench}). Each test states a rule of PROTOCOL.md.
 */
class HubSessionTest {

    private static List<Long> offsets(List<ServerMessage> messages) {
        return messages.stream().filter(m -> m instanceof Publication).map(m -> ((Publication) m).offset())
                .collect(Collectors.toList());
    }

    @Test
    void aPublicationReachesEverySubscriberInOrderAndItsPublisherGetsAnAck() {
        SessionBench bench = new SessionBench(HubConfig.defaults());
        SessionBench.Recording ann = bench.connected();
        SessionBench.Recording bob = bench.connected();
        ann.command(new Command.Subscribe(2L, "room", null, null));
        assertThat(ann.take(ServerMessage.Subscribed.class).offset()).isZero();
        bob.command(new Command.Subscribe(3L, "room", null, null));
        bob.take(ServerMessage.Subscribed.class);
        ann.take(ServerMessage.Join.class);

        bob.command(new Command.Publish(4L, "room", TextNode.valueOf("hi"), "m-1", null));
        Publication p = ann.take(Publication.class);
        assertThat(p.offset()).isEqualTo(1);
        assertThat(p.data().asText()).isEqualTo("hi");
        assertThat(p.info().client()).isEqualTo(bob.session.clientId());
        assertThat(bob.take(Publication.class).offset()).isEqualTo(1);
        ServerMessage.Ack ack = bob.take(ServerMessage.Ack.class);
        assertThat(ack.id()).isEqualTo(4);
        assertThat(ack.offset()).isEqualTo(1);
        assertThat(ack.duplicate()).isFalse();

        // A retry with the same msgId is acknowledged again, and published once.
        bob.command(new Command.Publish(5L, "room", TextNode.valueOf("hi"), "m-1", null));
        ServerMessage.Ack again = bob.take(ServerMessage.Ack.class);
        assertThat(again.duplicate()).isTrue();
        assertThat(again.offset()).isEqualTo(1);
        assertThat(ann.drain()).isEmpty();
    }

    @Test
    void recoveryGivesWhatWasMissedThenLiveWithNoGapAndNoOverlap() {
        SessionBench bench = new SessionBench(HubConfig.defaults());
        SessionBench.Recording writer = bench.connected();
        for (int i = 1; i <= 5; i++) {
            writer.command(new Command.Publish((long) i, "feed", TextNode.valueOf("p" + i), null, null));
        }
        String epoch = writer.drain().stream().filter(m -> m instanceof ServerMessage.Ack)
                .map(m -> ((ServerMessage.Ack) m).epoch()).findFirst().orElseThrow();

        SessionBench.Recording reader = bench.connected();
        reader.command(new Command.Subscribe(2L, "feed", null, new StreamPosition(2, epoch)));
        ServerMessage.Subscribed s = reader.take(ServerMessage.Subscribed.class);
        assertThat(s.recovered()).isTrue();
        assertThat(s.publications()).extracting(Publication::offset).containsExactly(3L, 4L, 5L);
        assertThat(s.offset()).isEqualTo(5);
        writer.command(new Command.Publish(9L, "feed", TextNode.valueOf("p6"), null, null));
        assertThat(reader.take(Publication.class).offset()).isEqualTo(6);

        // From another epoch, recovery fails explicitly: never a silent gap.
        SessionBench.Recording lost = bench.connected();
        lost.command(new Command.Subscribe(2L, "feed", null, new StreamPosition(2, "another-epoch")));
        ServerMessage.Subscribed failed = lost.take(ServerMessage.Subscribed.class);
        assertThat(failed.recovered()).isFalse();
        assertThat(failed.publications()).isEmpty();
    }

    @Test
    void aLargeRecoveryComesInPagesAsTheClientReads() {
        SessionBench bench = new SessionBench(HubConfig.builder().maxQueuedBytes(8 * 1024).build()); // 2 KiB per reply
        SessionBench.Recording writer = bench.connected();
        String big = "x".repeat(600);
        for (int i = 1; i <= 30; i++) {
            writer.command(new Command.Publish((long) i, "feed", TextNode.valueOf(big), null, null));
        }
        String epoch = writer.drain().stream().filter(m -> m instanceof ServerMessage.Ack)
                .map(m -> ((ServerMessage.Ack) m).epoch()).findFirst().orElseThrow();

        SessionBench.Recording reader = bench.connected();
        reader.holding = true; // the socket holds what it is given until the client reads
        reader.command(new Command.Subscribe(2L, "feed", null, new StreamPosition(0, epoch)));
        ServerMessage.Subscribed s = reader.take(ServerMessage.Subscribed.class);
        assertThat(s.recovered()).isTrue();
        assertThat(s.publications().size()).isBetween(1, 4);
        assertThat(s.offset()).isEqualTo(s.publications().get(s.publications().size() - 1).offset());

        List<Long> got = new java.util.ArrayList<>(s.publications().stream().map(Publication::offset).toList());
        writer.command(new Command.Publish(99L, "feed", TextNode.valueOf("live"), null, null)); // held back meanwhile
        for (int reads = 0; reads < 100 && got.size() < 31; reads++) {
            got.addAll(offsets(reader.drain()));
            reader.drained();
        }
        got.addAll(offsets(reader.drain()));
        assertThat(got).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 31).boxed().toList());
        assertThat(reader.closeCode).as("never a slow consumer for recovering").isEqualTo(-1);
    }

    @Test
    void aConsumerThatDoesNotReadIsDisconnectedOrLosesTheOldestAsItsNamespaceSays() {
        SessionBench bench = new SessionBench(HubConfig.builder().maxQueuedBytes(4 * 1024)
                .namespace("ticker", NamespaceConfig.builder().slowConsumer(SlowConsumerPolicy.DROP_OLDEST).build()).build());
        SessionBench.Recording writer = bench.connected();
        SessionBench.Recording slow = bench.connected();
        SessionBench.Recording dropping = bench.connected();
        slow.command(new Command.Subscribe(2L, "news", null, null));
        dropping.command(new Command.Subscribe(2L, "ticker:x", null, null));
        slow.drain();
        dropping.drain();
        // The socket holds its share (just past the session's watermark, half the budget): from now
        // on everything waits in the session's queue, under the namespace's policy.
        long full = OutboundPump.socketWatermark(bench.config) + 1;
        slow.holding = true;
        slow.buffered = full;
        dropping.holding = true;
        dropping.buffered = full;
        String data = "y".repeat(500);
        for (int i = 0; i < 20; i++) {
            writer.command(new Command.Publish((long) i, "news", TextNode.valueOf(data), null, null));
            writer.command(new Command.Publish((long) i, "ticker:x", TextNode.valueOf(data), null, null));
        }
        ServerMessage.Disconnect d = slow.take(ServerMessage.Disconnect.class);
        assertThat(d.code()).isEqualTo(3002);
        assertThat(slow.closeCode).isEqualTo(3002);
        assertThat(slow.session.active()).isFalse();
        assertThat(dropping.session.active()).as("drop_oldest keeps the consumer").isTrue();
        assertThat(dropping.session.stats().dropped()).isPositive();
        dropping.drained();
        List<Long> kept = offsets(dropping.drain());
        assertThat(kept).isSorted().endsWith(20L);
        assertThat(kept.size()).isLessThan(20);
    }

    @Test
    void framesOfATracedConnectionGoToItsWatcherAndTracesNeverFeedThemselves() {
        SessionBench bench = new SessionBench(HubConfig.builder().frameTrace(true).build());
        SessionBench.Recording page = bench.open();
        page.command(new Command.Connect(1L, null, null, null, null));
        ServerMessage.Connected traced = page.take(ServerMessage.Connected.class);
        SessionBench.Recording inspector = bench.connected();

        inspector.command(new Command.Trace(2L, traced.client(), traced.traceKey(), true));
        assertThat(inspector.take(ServerMessage.Tracing.class).enabled()).isTrue();
        assertThat(page.observer).as("the traced connection reports its frames").isNotNull();
        page.observer.onFrame(new FrameTrace(FrameTrace.Direction.IN, true, false, false, false, 1, true, 42,
                FrameTrace.NO_CLOSE_CODE, null));
        ServerMessage.Frame frame = inspector.take(ServerMessage.Frame.class);
        assertThat(frame.client()).isEqualTo(traced.client());
        assertThat(frame.length()).isEqualTo(42);

        // The traced connection may not trace its watcher back: that loop would never end.
        page.command(new Command.Trace(3L, inspector.session.clientId(), "whatever", true));
        assertThat(page.take(ServerMessage.Error.class).code()).isIn(103, 107);

        page.session.onClosed();
        assertThat(inspector.take(ServerMessage.Tracing.class).enabled()).isFalse();
    }

    @Test
    void deadlinesComeFromTheClockNotFromWaiting() {
        SessionBench bench = new SessionBench(HubConfig.defaults());
        SessionBench.Recording silent = bench.open();
        bench.advance(bench.config.connectTimeout().toMillis() + 1);
        silent.session.checkDeadlines();
        assertThat(silent.take(ServerMessage.Disconnect.class).code()).isEqualTo(3005);

        SessionBench.Recording quiet = bench.connected();
        bench.advance(2 * bench.config.heartbeat().toMillis() + 1);
        quiet.session.checkDeadlines();
        assertThat(quiet.take(ServerMessage.Disconnect.class).code()).isEqualTo(3003);
    }

    @Test
    void resumedSubscriptionsTravelInsideConnected() {
        SessionBench bench = new SessionBench(HubConfig.defaults());
        SessionBench.Recording writer = bench.connected();
        writer.command(new Command.Publish(1L, "a", TextNode.valueOf("1"), null, null));
        String epoch = writer.drain().stream().filter(m -> m instanceof ServerMessage.Ack)
                .map(m -> ((ServerMessage.Ack) m).epoch()).findFirst().orElseThrow();
        SessionBench.Recording back = bench.open();
        back.command(new Command.Connect(7L, null, null, null, Map.of("a", new StreamPosition(0, epoch))));
        ServerMessage.Connected c = back.take(ServerMessage.Connected.class);
        assertThat(c.subs()).containsOnlyKeys("a");
        assertThat(c.subs().get("a").publications()).extracting(Publication::offset).containsExactly(1L);
        writer.command(new Command.Publish(2L, "a", TextNode.valueOf("2"), null, null));
        assertThat(back.take(Publication.class).offset()).isEqualTo(2);
    }

    @Test
    void aGapTheBrokerCannotFillDisconnectsOnlyTheSubscriptionsItLeftBehind() {
        SessionBench bench = new SessionBench(HubConfig.defaults());
        SessionBench.Recording ann = bench.connected();
        SessionBench.Recording bob = bench.connected();
        ann.command(new Command.Subscribe(2L, "room", null, null));
        ServerMessage.Subscribed subscribed = ann.take(ServerMessage.Subscribed.class);
        bob.command(new Command.Subscribe(3L, "room", null, null));
        bob.take(ServerMessage.Subscribed.class);
        ann.take(ServerMessage.Join.class);
        bob.command(new Command.Publish(4L, "room", TextNode.valueOf("hi"), null, null));
        assertThat(ann.take(Publication.class).offset()).isEqualTo(1);
        assertThat(bob.take(Publication.class).offset()).isEqualTo(1);
        bob.take(ServerMessage.Ack.class);

        // A gap up to an offset both have passed changes nothing; one beyond it, or in another
        // epoch, makes the session resume.
        ann.session.execute(() -> ann.session.streamGap("room", subscribed.epoch(), 1));
        ann.session.execute(() -> ann.session.streamGap("elsewhere", "other", 9));
        assertThat(ann.session.active()).isTrue();
        ann.session.execute(() -> ann.session.streamGap("room", subscribed.epoch(), 3));
        assertThat(ann.take(ServerMessage.Disconnect.class).code()).isEqualTo(3009);
        assertThat(bob.take(ServerMessage.Leave.class).info().client()).isEqualTo(ann.session.clientId());
        bob.session.execute(() -> bob.session.streamGap("room", "a-new-epoch", 0));
        assertThat(bob.take(ServerMessage.Disconnect.class).code()).isEqualTo(3009);
    }
}
