package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Recovery after network drops: a subscriber that keeps losing its connection while a publisher
 * publishes at a steady pace ends up with every publication exactly once, in order; recovery that
 * is not possible (out of the history window, or a restarted hub) says so instead of leaving a gap.
 */
class RecoveryTest extends HubTestBase {
    private static final String FEED = "feed:x";

    private HubConfig config(int historySize) {
        return HubConfig.builder()
                .commandRate(100_000, 100_000)
                .namespace("feed", NamespaceConfig.builder().historySize(historySize).build())
                .build();
    }

    @Test
    void droppingSubscriberRecoversEveryPublicationExactlyOnceInOrder() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        start(config(5_000));
        int total = 3_000;
        TestHubClient publisher = connect();
        Reader reader = new Reader(FEED);
        TestHubClient sub = connect();
        reader.onSubscribed(sub.subscribe(FEED), null);

        AtomicReference<Throwable> publishFailure = new AtomicReference<>();
        Thread pub = new Thread(() -> {
            try {
                long start = System.nanoTime();
                for (int i = 1; i <= total; i++) {
                    publisher.send(new Command.Publish((long) i, FEED, IntNode.valueOf(i), "m-" + i, null));
                    if (i % 2 == 0) { // two per millisecond
                        long due = start + TimeUnit.MILLISECONDS.toNanos(i / 2);
                        while (System.nanoTime() < due) {
                            LockSupport.parkNanos(due - System.nanoTime());
                        }
                    }
                }
                for (int i = 1; i <= total; i++) {
                    ServerMessage.Ack ack = publisher.expect(ServerMessage.Ack.class);
                    if (ack.duplicate() || ack.offset() != ack.id()) {
                        throw new AssertionError("Unexpected ack " + ack);
                    }
                }
            } catch (Throwable t) {
                publishFailure.set(t);
            }
        }, "publisher");
        pub.start();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int drops = 0;
        int viaSince = 0;
        int viaConnect = 0;
        try {
            // Five drops at points of the stream (not of time), so that a busy machine that reads
            // slowly still loses its connection five times: twice resuming through subscribe.since,
            // three times through connect.subs.
            long[] dropAt = new long[5];
            for (int d = 0; d < dropAt.length; d++) {
                dropAt[d] = (long) total * (d + 1) / (dropAt.length + 1) + random.nextInt(100);
            }
            // A recovery may bring the reader to the end at once (when the publisher is done): the
            // remaining drops still happen, and resume from the end.
            while ((reader.last < total || drops < dropAt.length) && System.nanoTime() < deadline) {
                // Read up to the next drop point, then lose the connection.
                long until = drops < dropAt.length ? Math.min(dropAt[drops], total) : total;
                while (reader.last < until && System.nanoTime() < deadline) {
                    ServerMessage m = sub.poll(5);
                    if (m != null) {
                        reader.handle(m);
                    }
                }
                if ((reader.last >= total && drops >= dropAt.length) || System.nanoTime() >= deadline) {
                    break;
                }
                sub.close();
                drops++;
                for (ServerMessage m : sub.drain()) { // what arrived before the drop was received
                    reader.handle(m);
                }
                StreamPosition since = new StreamPosition(reader.last, reader.epoch);
                sub = track(new TestHubClient(server.port(), HubCodec.JSON));
                if (drops % 2 == 0) {
                    viaSince++;
                    reader.pendingSince = since;
                    sub.connect(null);
                    long id = sub.nextId();
                    sub.send(new Command.Subscribe(id, FEED, null, since));
                } else {
                    viaConnect++;
                    ServerMessage.Connected connected = sub.connect(null, Map.of(FEED, since));
                    assertThat(connected.subs()).containsKey(FEED);
                    reader.onSubscribed(connected.subs().get(FEED), since);
                }
            }
            pub.join(TimeUnit.SECONDS.toMillis(20));
        } finally {
            pub.interrupt();
        }
        String context = "seed " + seed + ", drops " + drops;
        System.out.println("RecoveryTest: " + context + " (" + viaSince + " via subscribe.since, " + viaConnect
                + " via connect.subs), overlaps " + reader.overlaps);
        assertThat(publishFailure.get()).as(context).isNull();
        assertThat(reader.failures).as(context).isEmpty();
        assertThat(reader.processed).as(context).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        // PROTOCOL.md: recovered publications, then live ones "with no gap and no overlap".
        assertThat(reader.overlaps).as(context).isZero();
        assertThat(viaSince).as(context).isGreaterThanOrEqualTo(2);
        assertThat(viaConnect).as(context).isGreaterThanOrEqualTo(2);
        assertThat(Scrape.value(hub(), "duplex_recoveries_total{outcome=\"recovered\"}")).as(context).isEqualTo(drops);
        assertThat(Scrape.value(hub(), "duplex_recoveries_total{outcome=\"failed\"}")).as(context).isZero();
    }

    @Test
    void recoveryOutOfTheHistoryWindowSaysSoAndGivesTheCurrentPosition() throws Exception {
        start(config(10));
        TestHubClient publisher = connect();
        TestHubClient sub = connect();
        ServerMessage.Subscribed first = sub.subscribe(FEED);
        String epoch = first.epoch();
        sub.close();
        for (int i = 1; i <= 50; i++) {
            publisher.send(new Command.Publish((long) i, FEED, IntNode.valueOf(i), null, null));
        }
        assertThat(((ServerMessage.Ack) publisher.reply(50)).offset()).isEqualTo(50);

        // Through subscribe.since: 1..40 fell out of the window of 10.
        TestHubClient again = connect();
        long id = again.nextId();
        again.send(new Command.Subscribe(id, FEED, null, new StreamPosition(0, epoch)));
        ServerMessage.Subscribed lost = (ServerMessage.Subscribed) again.reply(id);
        assertThat(lost.recovered()).isFalse();
        assertThat(lost.publications()).isEmpty();
        assertThat(lost.offset()).isEqualTo(50);
        assertThat(lost.epoch()).isEqualTo(epoch);
        // It continues live from the current position.
        publisher.send(new Command.Publish(51L, FEED, IntNode.valueOf(51), null, null));
        assertThat(again.expect(Publication.class).offset()).isEqualTo(51);

        // Through connect.subs, same answer.
        TestHubClient third = track(new TestHubClient(server.port(), HubCodec.JSON));
        ServerMessage.Connected connected = third.connect(null, Map.of(FEED, new StreamPosition(39, epoch)));
        ServerMessage.Subscribed viaConnect = connected.subs().get(FEED);
        assertThat(viaConnect.recovered()).isFalse();
        assertThat(viaConnect.publications()).isEmpty();
        assertThat(viaConnect.offset()).isEqualTo(51);

        // The control: a position inside the window recovers.
        TestHubClient fourth = track(new TestHubClient(server.port(), HubCodec.JSON));
        ServerMessage.Subscribed recovered = fourth.connect(null, Map.of(FEED, new StreamPosition(45, epoch))).subs().get(FEED);
        assertThat(recovered.recovered()).isTrue();
        assertThat(recovered.publications()).extracting(Publication::offset).containsExactly(46L, 47L, 48L, 49L, 50L, 51L);

        assertThat(Scrape.value(hub(), "duplex_recoveries_total{outcome=\"failed\"}")).isEqualTo(2);
        assertThat(Scrape.value(hub(), "duplex_recoveries_total{outcome=\"recovered\"}")).isEqualTo(1);
    }

    @Test
    void afterAHubRestartRecoveryFailsUnderANewEpoch() throws Exception {
        HubServer first = start(config(100));
        TestHubClient publisher = connect();
        TestHubClient sub = connect();
        sub.subscribe(FEED);
        for (int i = 1; i <= 5; i++) {
            publisher.send(new Command.Publish((long) i, FEED, IntNode.valueOf(i), null, null));
        }
        Publication last = null;
        for (int i = 1; i <= 5; i++) {
            last = sub.expect(Publication.class);
        }
        assertThat(last.offset()).isEqualTo(5);
        String oldEpoch = ((ServerMessage.Ack) publisher.reply(5)).epoch();
        first.close();
        assertThat(sub.awaitClose()).isNotNegative();

        start(config(100)); // the restarted hub: its in-memory streams are new
        StreamPosition since = new StreamPosition(5, oldEpoch);
        TestHubClient a = connect();
        long id = a.nextId();
        a.send(new Command.Subscribe(id, FEED, null, since));
        ServerMessage.Subscribed viaSince = (ServerMessage.Subscribed) a.reply(id);
        assertThat(viaSince.recovered()).isFalse();
        assertThat(viaSince.epoch()).isNotEqualTo(oldEpoch);
        assertThat(viaSince.offset()).isZero();
        assertThat(viaSince.publications()).isEmpty();

        TestHubClient b = track(new TestHubClient(server.port(), HubCodec.JSON));
        ServerMessage.Subscribed viaConnect = b.connect(null, Map.of(FEED, since)).subs().get(FEED);
        assertThat(viaConnect.recovered()).isFalse();
        assertThat(viaConnect.epoch()).isEqualTo(viaSince.epoch());
        assertThat(viaConnect.publications()).isEmpty();

        TestHubClient p2 = connect();
        p2.send(new Command.Publish(1L, FEED, IntNode.valueOf(1), null, null));
        assertThat(a.expect(Publication.class).offset()).isEqualTo(1);
        assertThat(b.expect(Publication.class).offset()).isEqualTo(1);
        assertThat(Scrape.value(hub(), "duplex_recoveries_total{outcome=\"failed\"}")).isEqualTo(2);
    }

    /** What a real client does with one channel: remember the position, de-duplicate by offset. */
    static final class Reader {
        final String channel;
        final List<Long> processed = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        long last;
        String epoch;
        int overlaps;
        StreamPosition pendingSince;

        Reader(String channel) {
            this.channel = channel;
        }

        void handle(ServerMessage m) {
            if (m instanceof ServerMessage.Subscribed s) {
                onSubscribed(s, pendingSince);
            } else if (m instanceof Publication p && p.channel().equals(channel)) {
                publication(p);
            } else if (m instanceof ServerMessage.Error e) {
                failures.add("error " + e);
            } else if (m instanceof ServerMessage.Disconnect d) {
                failures.add("disconnected " + d);
            }
        }

        /** The reply to a subscribe, with the position it recovers from (null: none). */
        void onSubscribed(ServerMessage.Subscribed s, StreamPosition since) {
            if (epoch == null) {
                epoch = s.epoch();
                last = s.offset();
            } else if (!s.epoch().equals(epoch)) {
                failures.add("epoch changed: " + s);
            }
            if (since != null && !Boolean.TRUE.equals(s.recovered())) {
                failures.add("not recovered from " + since + ": " + s.recovered() + " at " + s.offset());
            }
            if (s.publications() != null) {
                for (Publication p : s.publications()) {
                    publication(p);
                }
            }
        }

        void publication(Publication p) {
            if (p.offset() <= last) {
                overlaps++;
                return;
            }
            if (p.offset() != last + 1) {
                failures.add("gap: " + (last + 1) + ".." + (p.offset() - 1));
            }
            if (p.data().asLong() != p.offset()) {
                failures.add("publication " + p.offset() + " carries " + p.data());
            }
            processed.add(p.offset());
            last = p.offset();
        }
    }
}
