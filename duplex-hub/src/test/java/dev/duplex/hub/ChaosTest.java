package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.websocket.WebSocketClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * 200 clients on 2–4 of 4 channels, a publisher at 200 publications per second per channel, and
 * every 50 ms a few random clients lose their connection and come back with their positions in
 * {@code connect.subs}. In the end every client has every offset of each of its channels exactly
 * once, in order. Run again with {@code -Dchaos.seed=…} to repeat a failing run's choices.
 */
class ChaosTest extends HubTestBase {
    private static final int CLIENTS = 200;
    private static final int CHANNELS = 4;
    private static final int PER_SECOND_PER_CHANNEL = 200;
    private static final long RUN_MILLIS = 8_000;
    private static final int DROPS_PER_ROUND = 4;

    @Test
    void everyClientGetsEveryPublicationOnceInOrderDespiteDrops() throws Exception {
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "chaos.seed=" + seed;
        start(HubConfig.builder()
                .commandRate(100_000, 100_000)
                .namespace("chaos", NamespaceConfig.builder().historySize(5_000).build())
                .build());
        int port = server.port();
        WebSocketClient shared = track(WebSocketClient.builder().eventLoops(2).build());
        // One thread per client: a reconnect blocks its thread for a whole handshake, and a client
        // is down at most once at a time, so every reconnect starts when it is due. With two
        // threads, reconnects queued behind one another whenever handshakes were slow (a busy
        // machine, a hub busy with fan-out): most clients were still waiting at the end of the run
        // (130 to 180 of 200 measured under load), and that backlog, reconnected two at a time,
        // could take longer than any fixed wait.
        ScheduledExecutorService reconnector = Executors.newScheduledThreadPool(CLIENTS);
        List<ChaosClient> clients = new ArrayList<>();
        AtomicInteger reconnecting = new AtomicInteger();
        AtomicInteger attemptsEnded = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                List<String> all = new ArrayList<>();
                for (int c = 0; c < CHANNELS; c++) {
                    all.add("chaos:" + c);
                }
                Collections.shuffle(all, random);
                ChaosClient client = new ChaosClient(all.subList(0, 2 + random.nextInt(CHANNELS - 1)));
                clients.add(client);
                client.connect(shared, port);
            }
            assertThat(eventually(10_000, () -> clients.stream().allMatch(ChaosClient::ready)))
                    .as("%s: all subscribed", context).isTrue();

            TestHubClient publisher = connect();
            Thread pub = new Thread(() -> publish(publisher), "chaos-publisher");
            pub.start();

            int drops = 0;
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MILLIS);
            while (System.nanoTime() < end && failure.get() == null) {
                Thread.sleep(50);
                for (int k = 0; k < DROPS_PER_ROUND; k++) {
                    ChaosClient victim = clients.get(random.nextInt(CLIENTS));
                    if (!victim.drop()) {
                        continue; // already down
                    }
                    drops++;
                    reconnecting.incrementAndGet();
                    scheduleReconnect(reconnector, victim, shared, port, random.nextInt(100), reconnecting, attemptsEnded,
                            failure);
                }
            }
            pub.join(10_000);
            assertThat(pub.isAlive()).as("%s: publisher finished", context).isFalse();
            Map<String, Long> tops = new HashMap<>();
            long acks = 0;
            for (int c = 0; c < CHANNELS; c++) {
                tops.put("chaos:" + c, 0L);
            }
            long lastId = RUN_MILLIS * PER_SECOND_PER_CHANNEL / 1000 * CHANNELS;
            List<ServerMessage> replies = new ArrayList<>();
            replies.add(publisher.expect(ServerMessage.Ack.class, a -> a.id() == lastId)); // acks come in order
            replies.addAll(publisher.drain());
            for (ServerMessage m : replies) {
                if (m instanceof ServerMessage.Ack a) {
                    acks++;
                    tops.merge(a.channel(), a.offset(), Math::max);
                }
            }
            assertThat(acks).as("%s: every publish acknowledged", context).isEqualTo(lastId);
            assertThat(tops.values()).as(context).allMatch(top -> top == lastId / CHANNELS);

            assertThat(reconnectsDone(reconnecting, attemptsEnded)).as("%s: reconnects done", context).isTrue();
            boolean complete = eventually(15_000, () -> clients.stream().allMatch(c -> c.caughtUp(tops)));
            System.out.printf("ChaosTest: %s, %d clients, %d drops, %d publications %s, recovered %.0f, failed %.0f%n",
                    context, CLIENTS, drops, acks, tops, Scrape.value(hub(), "duplex_recoveries_total{outcome=\"recovered\"}"),
                    Scrape.value(hub(), "duplex_recoveries_total{outcome=\"failed\"}"));
            assertThat(failure.get()).as(context).isNull();
            for (ChaosClient c : clients) {
                assertThat(c.failures()).as("%s: client %s", context, c.channels).isEmpty();
                for (String channel : c.channels) {
                    ChannelState s = c.state.get(channel);
                    assertThat(s.count).as("%s: %s received once each", context, channel).isEqualTo(tops.get(channel));
                    assertThat(s.last).as("%s: %s last offset", context, channel).isEqualTo(tops.get(channel));
                    assertThat(s.overlaps).as("%s: %s overlaps (PROTOCOL.md: no gap and no overlap)", context, channel).isZero();
                }
            }
            assertThat(complete).as(context).isTrue();
            assertThat(drops).as(context).isGreaterThan(100);
            assertThat(Scrape.value(hub(), "duplex_recoveries_total{outcome=\"failed\"}")).as(context).isZero();
        } finally {
            reconnector.shutdownNow();
            for (ChaosClient c : clients) {
                c.drop();
            }
        }
    }

    /** Publishes to every channel, PER_SECOND_PER_CHANNEL each, for RUN_MILLIS. */
    private static void publish(TestHubClient publisher) {
        long start = System.nanoTime();
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / PER_SECOND_PER_CHANNEL;
        long rounds = RUN_MILLIS * PER_SECOND_PER_CHANNEL / 1000;
        long id = 0;
        for (long round = 0; round < rounds; round++) {
            long due = start + round * intervalNanos;
            while (System.nanoTime() < due) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            for (int c = 0; c < CHANNELS; c++) {
                publisher.send(new Command.Publish(++id, "chaos:" + c, IntNode.valueOf((int) round + 1), null, null));
            }
        }
    }

    /**
     * Waits until no reconnect is pending. Drops have stopped, so the count only goes down; what
     * is bounded is each attempt (its handshake gives up after {@link TestHubClient#WAIT_SECONDS},
     * then a retry follows 50 ms later), so the wait fails only when no attempt at all ended for
     * that long: a reconnect that is stuck, not a machine that is slow. At most {@code CLIENTS}
     * reconnects times 21 attempts each.
     */
    private static boolean reconnectsDone(AtomicInteger reconnecting, AtomicInteger attemptsEnded)
            throws InterruptedException {
        long attemptNanos = TimeUnit.SECONDS.toNanos(TestHubClient.WAIT_SECONDS) + TimeUnit.MILLISECONDS.toNanos(200);
        int ended = attemptsEnded.get();
        long deadline = System.nanoTime() + attemptNanos;
        for (int steps = 0; steps <= CLIENTS * 21; ) {
            if (reconnecting.get() == 0) {
                return true;
            }
            int now = attemptsEnded.get();
            if (now != ended) {
                steps += now - ended;
                ended = now;
                deadline = System.nanoTime() + attemptNanos;
            } else if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return reconnecting.get() == 0;
    }

    private static void scheduleReconnect(ScheduledExecutorService executor, ChaosClient client, WebSocketClient shared,
                                          int port, long delayMillis, AtomicInteger reconnecting,
                                          AtomicInteger attemptsEnded, AtomicReference<Throwable> failure) {
        executor.schedule(() -> {
            try {
                client.connect(shared, port);
                reconnecting.decrementAndGet();
            } catch (Exception e) {
                if (client.retries++ < 20) { // e.g. a handshake that timed out on a busy machine
                    scheduleReconnect(executor, client, shared, port, 50, reconnecting, attemptsEnded, failure);
                } else {
                    failure.compareAndSet(null, e);
                    reconnecting.decrementAndGet();
                }
            } finally {
                attemptsEnded.incrementAndGet();
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** What one client knows of one channel. */
    static final class ChannelState {
        String epoch;
        long last;
        long count;
        long overlaps;
    }

    /** A client that remembers its position per channel and comes back with it. */
    static final class ChaosClient {
        final List<String> channels;
        final Map<String, ChannelState> state = new LinkedHashMap<>();
        private final List<String> failures = new ArrayList<>();
        private TestHubClient connection;
        private int generation;
        private boolean connectedOnce;
        int retries;

        ChaosClient(List<String> channels) {
            this.channels = List.copyOf(channels);
            for (String channel : channels) {
                state.put(channel, new ChannelState());
            }
        }

        void connect(WebSocketClient shared, int port) throws Exception {
            int gen;
            Map<String, StreamPosition> subs = new HashMap<>();
            synchronized (this) {
                gen = ++generation;
                for (String channel : channels) {
                    ChannelState s = state.get(channel);
                    subs.put(channel, s.epoch == null ? null : new StreamPosition(s.last, s.epoch));
                }
            }
            TestHubClient c = new TestHubClient(shared, port, m -> onMessage(gen, subs, m));
            synchronized (this) {
                if (gen != generation) { // dropped meanwhile (only at the end of the test)
                    c.close();
                    return;
                }
                connection = c;
            }
            c.send(new Command.Connect(1L, null, "chaos", "1", subs));
        }

        /** Loses the connection (an abort, like a network drop); false if it had none. */
        boolean drop() {
            TestHubClient c;
            synchronized (this) {
                c = connection;
                if (c == null) {
                    return false;
                }
                connection = null;
                generation++; // whatever the old connection still delivers is never processed
            }
            c.close();
            return true;
        }

        synchronized boolean ready() {
            return connectedOnce;
        }

        synchronized boolean caughtUp(Map<String, Long> tops) {
            return connection != null && channels.stream().allMatch(ch -> state.get(ch).last >= tops.get(ch));
        }

        synchronized List<String> failures() {
            return List.copyOf(failures);
        }

        private synchronized void onMessage(int gen, Map<String, StreamPosition> since, ServerMessage m) {
            if (gen != generation) {
                return;
            }
            if (m instanceof ServerMessage.Connected c) {
                connectedOnce = true;
                for (String channel : channels) {
                    ServerMessage.Subscribed s = c.subs() == null ? null : c.subs().get(channel);
                    if (s == null) {
                        failures.add("no subscription to " + channel + " in " + c);
                    } else {
                        subscribed(s, since.get(channel));
                    }
                }
            } else if (m instanceof Publication p) {
                publication(state.get(p.channel()), p);
            } else if (m instanceof ServerMessage.Error || m instanceof ServerMessage.Disconnect
                    || m instanceof ServerMessage.Unsubscribed) {
                failures.add("unexpected " + m);
            }
        }

        private void subscribed(ServerMessage.Subscribed s, StreamPosition since) {
            ChannelState st = state.get(s.channel());
            if (since == null) {
                st.epoch = s.epoch();
                st.last = s.offset();
                if (s.offset() != 0) {
                    failures.add("first subscription to " + s.channel() + " at " + s.offset() + ", not 0");
                }
            } else {
                if (!Boolean.TRUE.equals(s.recovered())) {
                    failures.add("not recovered: " + s.channel() + " from " + since + " got " + s.recovered() + " at " + s.offset());
                }
                if (!s.epoch().equals(st.epoch)) {
                    failures.add("epoch of " + s.channel() + " changed");
                }
            }
            for (Publication p : s.publications()) {
                publication(st, p);
            }
        }

        private void publication(ChannelState st, Publication p) {
            if (st == null) {
                failures.add("publication of a channel not subscribed: " + p.channel());
                return;
            }
            if (p.offset() <= st.last) {
                st.overlaps++;
                return;
            }
            if (p.offset() != st.last + 1) {
                failures.add("gap in " + p.channel() + ": " + (st.last + 1) + ".." + (p.offset() - 1));
            }
            st.last = p.offset();
            st.count++;
        }
    }
}
