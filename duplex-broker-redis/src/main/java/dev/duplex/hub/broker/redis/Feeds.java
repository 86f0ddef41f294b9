package dev.duplex.hub.broker.redis;

import dev.duplex.hub.broker.BrokerListener;
import dev.duplex.hub.protocol.Publication;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The channels this node subscribed to, and its exact position in each, so that it never delivers a
 * publication twice nor misses one silently. Confined to the broker's delivery thread: every method
 * runs there, and what Lettuce reports is handed to it in the order each connection received it.
 *
 * <p>A position is read over the channel's own pub/sub connection ({@link PubSubShard}), so the read
 * is in line with the messages: every publication at or below the top it reports either arrived
 * before the answer or was lost, and every later one arrives after it. A position is read when the
 * node subscribes, when Lettuce subscribes again after a reconnect, when a message skips offsets or
 * comes from another epoch, and once a channel went quiet (then every {@link #RECHECK_TICKS} ticks):
 * what is missing is taken from the stream's history, and what history no longer holds is a gap the
 * subscribers are told of ({@link BrokerListener#onGap}).
 */
final class Feeds {
    private static final System.Logger LOG = System.getLogger("dev.duplex.hub.broker.redis");
    /** Entries per read when catching up. */
    static final int PAGE = 1_000;
    /** A quiet channel is checked again every this many ticks (which also keeps its position alive in Redis). */
    static final int RECHECK_TICKS = 12;

    private final Keys keys;
    private final ScheduledExecutorService owner;
    private final Supplier<BrokerListener> listener;
    private final Map<String, Feed> byChannel = new HashMap<>();
    private final Map<String, Feed> byPubsub = new HashMap<>();
    private final Topology topology;
    private final Runnable onGapCounted;

    Feeds(Keys keys, Topology topology, ScheduledExecutorService owner, Supplier<BrokerListener> listener, Runnable onGapCounted) {
        this.keys = keys;
        this.topology = topology;
        this.owner = owner;
        this.listener = listener;
        this.onGapCounted = onGapCounted;
    }

    int size() {
        return byChannel.size();
    }

    // ---- subscribing

    /** Subscribes and reads the position; {@code done} completes when the position is known. */
    void add(String channel, CompletableFuture<Void> done) {
        Feed existing = byChannel.get(channel);
        if (existing != null) {
            existing.ready.whenComplete((v, failure) -> complete(done, failure));
            return;
        }
        String base = keys.base(channel);
        byte[] pubsub = keys.pubsub(channel);
        Feed feed;
        try {
            feed = new Feed(channel, base, pubsub, topology.pubsub(base));
        } catch (RuntimeException e) {
            done.completeExceptionally(Failures.map(e));
            return;
        }
        byChannel.put(channel, feed);
        byPubsub.put(name(pubsub), feed);
        feed.ready.whenComplete((v, failure) -> complete(done, failure));
        feed.shard.subscribe(pubsub).whenComplete((v, failure) -> {
            if (failure != null) {
                owner.execute(() -> drop(feed, failure));
            }
        });
        // Sent after SSUBSCRIBE on the same connection: it runs once the subscription is in place.
        feed.checking = true;
        read(feed);
    }

    void remove(String channel) {
        Feed feed = byChannel.remove(channel);
        if (feed == null) {
            return;
        }
        byPubsub.remove(name(feed.pubsubChannel), feed);
        feed.removed = true;
        feed.pending.clear();
        feed.shard.unsubscribe(feed.pubsubChannel);
        feed.ready.complete(null); // nobody waits for it any more
    }

    /** The subscription could not be made or its first position not read: the subscribers get the failure. */
    private void drop(Feed feed, Throwable failure) {
        if (feed.removed) {
            return;
        }
        remove(feed.channel);
        feed.ready.completeExceptionally(Failures.map(failure));
    }

    void metaTtl(String channel, long millis) {
        Feed feed = byChannel.get(channel);
        if (feed != null) {
            feed.metaTtlMillis = millis;
        }
    }

    /** Redis confirmed a subscription: after the first one, each means Lettuce subscribed again after a reconnect. */
    void subscribed(byte[] pubsubChannel) {
        Feed feed = byPubsub.get(name(pubsubChannel));
        if (feed == null) {
            return;
        }
        if (!feed.confirmed) {
            feed.confirmed = true;
            return;
        }
        check(feed);
    }

    // ---- messages

    /** A message on a channel's pub/sub: {@code P|epoch|offset|entry}, {@code J|member} or {@code L|member}. */
    void message(byte[] pubsubChannel, byte[] message) {
        Feed feed = byPubsub.get(name(pubsubChannel));
        if (feed == null || message.length < 2) {
            return;
        }
        try {
            switch (message[0]) {
                case 'P' -> publication(feed, parse(message));
                case 'J' -> listener.get().onJoin(feed.channel, Entry.member(tail(message, 2)));
                case 'L' -> listener.get().onLeave(feed.channel, Entry.member(tail(message, 2)));
                default -> LOG.log(System.Logger.Level.WARNING, "A message Duplex did not write on " + feed.channel);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "A message on " + feed.channel + " could not be read", e);
        }
    }

    private void publication(Feed feed, Feed.Message m) {
        feed.activeSinceTick = true;
        if (feed.checking || !feed.positioned()) {
            feed.hold(m);
            return;
        }
        accept(feed, m);
    }

    private void accept(Feed feed, Feed.Message m) {
        if (feed.continuedBy(m)) {
            deliver(feed, m.epoch(), m.offset(), m.entry());
        } else if (!feed.alreadyHas(m)) {
            // Offsets skipped, or another epoch: read where the stream is.
            feed.hold(m);
            check(feed);
        }
    }

    private void deliver(Feed feed, String epoch, long offset, byte[] entry) {
        feed.epoch = epoch;
        feed.offset = offset;
        Publication publication = Entry.publication(feed.channel, offset, entry);
        listener.get().onPublication(epoch, publication);
    }

    // ---- positions

    /** Reads the channel's position (and what is missing) in line with its messages. */
    void check(Feed feed) {
        if (feed.checking) {
            feed.checkAgain = true;
            return;
        }
        feed.checking = true;
        read(feed);
    }

    private void read(Feed feed) {
        boolean first = !feed.positioned();
        byte[][] args = StreamRead.args(false, "", feed.metaTtlMillis, first ? -1 : feed.offset,
                first ? "*" : feed.epoch, first ? 0 : PAGE, 0);
        Script.READ.run(feed.shard.commands(), new byte[][] {keys.meta(feed.channel), keys.stream(feed.channel)}, args)
                .whenComplete((reply, failure) -> owner.execute(() -> {
                    if (feed.removed) {
                        return;
                    }
                    if (failure != null) {
                        readFailed(feed, failure);
                    } else {
                        reconcile(feed, StreamRead.parse(reply));
                    }
                }));
    }

    private void readFailed(Feed feed, Throwable failure) {
        if (!feed.positioned()) {
            drop(feed, failure);
            return;
        }
        // Redis is away: the resubscription after the reconnect reads again; a read that failed on a
        // live connection is tried again shortly.
        LOG.log(System.Logger.Level.DEBUG, "Reading the position of " + feed.channel + " failed: " + failure);
        owner.schedule(() -> {
            if (!feed.removed) {
                read(feed);
            }
        }, 1, TimeUnit.SECONDS);
    }

    /**
     * Brings the feed to the position read: what it missed comes from the stream's entries or from
     * the messages that waited; what neither holds is a gap.
     */
    private void reconcile(Feed feed, StreamRead read) {
        if (!feed.positioned()) {
            feed.epoch = read.epoch();
            feed.offset = read.top();
            finish(feed);
            return;
        }
        boolean sameStream = read.epoch().equals(feed.epoch) || (feed.epoch.isEmpty() && feed.offset == 0);
        if (!sameStream) {
            gap(feed, read.epoch(), read.top());
            finish(feed);
            return;
        }
        Map<Long, byte[]> waiting = new HashMap<>();
        for (Feed.Message m : feed.pending) {
            if (m.epoch().equals(read.epoch()) && m.offset() > feed.offset && m.offset() <= read.top()) {
                waiting.put(m.offset(), m.entry());
            }
        }
        Map<Long, byte[]> retained = new HashMap<>();
        long lastRetained = feed.offset;
        for (StreamRead.Entry e : read.entries()) {
            retained.put(e.offset(), e.bytes());
            lastRetained = Math.max(lastRetained, e.offset());
        }
        boolean morePages = read.entries().size() >= PAGE;
        for (long next = feed.offset + 1; next <= read.top(); next++) {
            byte[] entry = waiting.containsKey(next) ? waiting.get(next) : retained.get(next);
            if (entry != null) {
                deliver(feed, read.epoch(), next, entry);
            } else if (morePages && next > lastRetained) {
                read(feed); // the next page, from where the feed got to
                return;
            } else {
                gap(feed, read.epoch(), read.top());
                break;
            }
        }
        finish(feed);
    }

    private void gap(Feed feed, String epoch, long top) {
        LOG.log(System.Logger.Level.WARNING, "Publications of " + feed.channel + " up to offset " + top + " of epoch '"
                + epoch + "' were missed and are not in its history (was at " + feed.offset + " of '" + feed.epoch
                + "'); its subscribers resume");
        onGapCounted.run();
        feed.epoch = epoch;
        feed.offset = top;
        listener.get().onGap(feed.channel, epoch, top);
    }

    /** The position is known: deliver what waited (which may start another check), then serve. */
    private void finish(Feed feed) {
        feed.checking = false;
        feed.ready.complete(null);
        List<Feed.Message> waited = new ArrayList<>(feed.pending);
        feed.pending.clear();
        for (Feed.Message m : waited) {
            if (feed.checking) {
                feed.hold(m);
            } else {
                accept(feed, m);
            }
        }
        if (feed.checkAgain && !feed.checking) {
            feed.checkAgain = false;
            check(feed);
        }
    }

    /** Every check interval: a channel that went quiet is checked once, then every {@link #RECHECK_TICKS}. */
    void tick() {
        for (Feed feed : byChannel.values()) {
            if (feed.checking || !feed.positioned()) {
                continue;
            }
            if (feed.activeSinceTick) {
                feed.activeSinceTick = false;
                feed.quietTicks = 0;
                continue;
            }
            feed.quietTicks++;
            if (feed.quietTicks == 1 || feed.quietTicks % RECHECK_TICKS == 0) {
                check(feed);
            }
        }
    }

    // ---- helpers

    private static void complete(CompletableFuture<Void> done, Throwable failure) {
        if (failure == null) {
            done.complete(null);
        } else {
            done.completeExceptionally(failure);
        }
    }

    static String name(byte[] pubsubChannel) {
        return new String(pubsubChannel, StandardCharsets.UTF_8);
    }

    /** {@code P|epoch|offset|entry}: the entry is binary, so only the first three bars count. */
    static Feed.Message parse(byte[] message) {
        int bar1 = indexOf(message, 2);
        int bar2 = indexOf(message, bar1 + 1);
        if (bar1 < 0 || bar2 < 0) {
            throw new IllegalArgumentException("not a publication message");
        }
        String epoch = new String(message, 2, bar1 - 2, StandardCharsets.US_ASCII);
        long offset = Long.parseLong(new String(message, bar1 + 1, bar2 - bar1 - 1, StandardCharsets.US_ASCII));
        return new Feed.Message(epoch, offset, tail(message, bar2 + 1));
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '|') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] tail(byte[] bytes, int from) {
        byte[] out = new byte[bytes.length - from];
        System.arraycopy(bytes, from, out, 0, out.length);
        return out;
    }
}
