package dev.duplex.hub.session;

import dev.duplex.hub.ChannelAccess;
import dev.duplex.hub.DeliveryMode;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.SlowConsumerPolicy;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.DisconnectCode;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A session's channels: subscribing (with recovery from a position), unsubscribing, and delivering
 * what the broker brings in offset order, so that a client never misses a publication silently nor
 * sees one twice.
 *
 * <p>Recovery merges two sources by offset: the session is attached to the channel first (live
 * publications are held back from then on), then history is read; the reply carries what the client
 * missed, and the held-back publications follow, skipping what history already gave. A recovery too
 * large for one reply continues page by page as the client reads ({@link #continueRecoveries}).
 * Confined to the session's owner; broker replies come back to it through the transport.
 */
final class Subscriptions {

    private final HubSession session;
    private final SessionContext ctx;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    /** The channels, for the stats API on other threads: replaced on every change. */
    private volatile List<String> channelNames = List.of();
    /** Subscriptions resumed by connect: they share one reply's budget. */
    private int resumedCount;
    private boolean anyRecovering;

    Subscriptions(HubSession session, SessionContext ctx) {
        this.session = session;
        this.ctx = ctx;
    }

    List<String> channelNames() {
        return channelNames;
    }

    boolean isSubscribed(String channel) {
        return subscriptions.containsKey(channel);
    }

    /** {@code count} subscriptions are about to be resumed by connect. */
    void resuming(int count) {
        resumedCount = count;
    }

    /**
     * Subscribes and, when {@code since} is given, recovers. The future completes on the owner:
     * with the reply for a subscription {@code resumed} by connect (which stays held back until
     * {@link #goLive}, after the connected reply that carries it), otherwise with null once the reply
     * was queued here. It never completes when the connection is gone meanwhile.
     */
    CompletableFuture<ServerMessage> subscribe(Long id, String channel, StreamPosition since, String token, boolean resumed) {
        NamespaceConfig ns = ctx.config().namespaceOf(channel);
        try {
            if (ns == null) {
                throw new ProtocolException(ErrorCode.UNKNOWN_CHANNEL, "No namespace '"
                        + channel.substring(0, channel.indexOf(':')) + "' is configured", id);
            }
            ChannelAccess.check(ChannelAccess.Operation.SUBSCRIBE, ns, channel, session.user(), token, false,
                    ctx.config().tokens(), ctx.clock().currentTimeMillis(), id);
        } catch (ProtocolException e) {
            return CompletableFuture.completedFuture(e.toReply());
        }
        if (subscriptions.containsKey(channel)) {
            return error(ErrorCode.ALREADY_SUBSCRIBED, "Already subscribed to " + channel, id);
        }
        if (subscriptions.size() >= ctx.config().maxChannelsPerConnection()) {
            return error(ErrorCode.LIMIT_EXCEEDED, "At most " + ctx.config().maxChannelsPerConnection()
                    + " channels per connection", id);
        }
        Subscription sub = new Subscription(channel, ns);
        put(sub);
        boolean latest = ns.mode() == DeliveryMode.LATEST && since == null;
        int limit = since != null || latest ? ns.historySize() : 0;
        CompletableFuture<ServerMessage> result = new CompletableFuture<>();
        ctx.channels().attach(channel, session)
                .thenCompose(v -> ctx.broker().recover(channel, since, limit, ns.historyOptions()))
                .whenComplete((page, failure) -> session.execute(() -> {
                    if (session.active()) {
                        result.complete(failure != null ? failed(id, sub, failure) : subscribed(id, since, latest, page, sub, resumed));
                    }
                }));
        return result;
    }

    private ServerMessage failed(Long id, Subscription sub, Throwable failure) {
        if (subscriptions.get(sub.channel) == sub) {
            remove(sub.channel);
            ctx.channels().detach(sub.channel, session);
        }
        return BrokerErrors.reply(ctx, id, "Subscribing " + session.clientId() + " to " + sub.channel, failure);
    }

    private ServerMessage subscribed(Long id, StreamPosition since, boolean latest, HistoryPage page, Subscription sub,
                                     boolean resumed) {
        String channel = sub.channel;
        if (subscriptions.get(channel) != sub) {
            return new ServerMessage.Unsubscribed(id, channel, "unsubscribed while subscribing");
        }
        List<Publication> publications = List.of();
        Boolean recovered = null;
        // The position the reply brings the client to: the stream's top, unless the missed
        // publications do not fit in one reply (then the last one that does; the rest follows as
        // publication messages before anything live: see continueRecovery).
        long position = page.offset();
        if (since != null) {
            recovered = page.recoverable();
            ctx.metrics().recovery(page.recoverable());
            if (page.recoverable()) {
                publications = page.publications();
                int fit = ReplyBudget.fit(publications, replyBudget(resumed));
                if (fit < publications.size()) {
                    publications = publications.subList(0, fit);
                    position = publications.get(fit - 1).offset();
                    sub.recovering = true;
                    anyRecovering = true;
                }
            }
        } else if (latest && !page.publications().isEmpty()) {
            publications = List.of(page.publications().get(page.publications().size() - 1));
        }
        sub.epoch = page.epoch();
        sub.offset = position;
        ClientInfo me = session.info();
        if (sub.namespace.presence()) {
            ctx.broker().addPresence(channel, me);
        }
        if (sub.namespace.joinLeave()) {
            ctx.broker().publishJoin(channel, me);
        }
        ctx.metrics().subscribed();
        ServerMessage.Subscribed reply = new ServerMessage.Subscribed(id, channel, page.epoch(), position, recovered, publications);
        if (resumed) {
            return reply;
        }
        // The reply first, then what was held back: nothing live can come between them.
        if (session.enqueueReply(reply) && !sub.recovering) {
            release(sub);
        }
        session.flush();
        return null;
    }

    /** A subscription resumed by connect starts delivering (or goes on recovering) after the connected reply. */
    void goLive(String channel) {
        Subscription sub = subscriptions.get(channel);
        if (sub != null && !sub.recovering) {
            release(sub);
        }
        session.flush();
    }

    private void release(Subscription sub) {
        for (SharedPublication p : sub.goLive()) {
            if (!deliverLive(sub, p)) {
                return; // disconnected
            }
        }
    }

    void unsubscribe(Command.Unsubscribe u) throws ProtocolException {
        Subscription sub = remove(u.channel());
        if (sub == null) {
            throw new ProtocolException(ErrorCode.NOT_SUBSCRIBED, "Not subscribed to " + u.channel(), u.id());
        }
        leave(sub);
        session.reply(new ServerMessage.Unsubscribed(u.id(), u.channel(), null));
    }

    /** Leaves every channel: the connection is going. */
    void leaveAll() {
        List<Subscription> all = new ArrayList<>(subscriptions.values());
        subscriptions.clear();
        channelNames = List.of();
        for (Subscription sub : all) {
            leave(sub);
        }
    }

    private void leave(Subscription sub) {
        ctx.channels().detach(sub.channel, session);
        ctx.metrics().unsubscribed();
        if (sub.namespace.presence()) {
            ctx.broker().removePresence(sub.channel, session.clientId());
        }
        if (sub.namespace.joinLeave() && session.info() != null) {
            ctx.broker().publishLeave(sub.channel, session.info());
        }
    }

    // ---- delivery

    /** A publication for one of this session's channels. */
    void deliver(SharedPublication publication) {
        Subscription sub = subscriptions.get(publication.channel());
        if (sub == null || !session.active()) {
            return;
        }
        if (!sub.live) {
            sub.holdBack(publication, replyBudget(false));
            return;
        }
        if (deliverLive(sub, publication)) {
            session.flush();
        }
    }

    /** Queues a publication that continues the client's stream; false if the session had to disconnect. */
    private boolean deliverLive(Subscription sub, SharedPublication p) {
        if (!session.active()) {
            return false;
        }
        if (!p.epoch().equals(sub.epoch) || p.offset() > sub.offset + 1) {
            if (p.epoch().equals(sub.epoch) && p.offset() <= sub.offset) {
                return true; // already delivered through recovery
            }
            // The stream restarted or skipped: the client cannot continue without knowing.
            session.disconnect(DisconnectCode.INSUFFICIENT_STATE, "Stream of " + sub.channel
                    + " lost continuity; reconnect to recover", null);
            return false;
        }
        if (p.offset() <= sub.offset) {
            return true; // already delivered through recovery
        }
        sub.offset = p.offset();
        if (!session.pump().offerPublication(p.encoded(session.codec()), sub.channel, p.publication().key(),
                sub.namespace.slowConsumer())) {
            session.slowConsumer();
            return false;
        }
        return true;
    }

    /**
     * The node missed publications of a channel up to {@code offset} of {@code epoch} that history
     * cannot give back: a subscription positioned in another epoch or below that offset cannot
     * continue without the client knowing (3009; it resumes and learns {@code recovered: false}).
     * One still subscribing reads its position after this and needs nothing.
     */
    void gap(String channel, String epoch, long offset) {
        Subscription sub = subscriptions.get(channel);
        if (sub == null || sub.epoch == null || !session.active()) {
            return;
        }
        if (!epoch.equals(sub.epoch) || sub.offset < offset) {
            session.disconnect(DisconnectCode.INSUFFICIENT_STATE, "Publications of " + channel
                    + " were lost between nodes; reconnect to recover", null);
        }
    }

    /** Join and leave pushes for a channel this session is subscribed to; not one's own. */
    void deliverPresenceEvent(String channel, ServerMessage event, ClientInfo who) {
        Subscription sub = subscriptions.get(channel);
        if (sub != null && sub.live && !session.clientId().equals(who.client())) {
            session.reply(event);
        }
    }

    // ---- recovery in pages

    /** Starts the next page of every subscription still recovering, when the queue has room. */
    void continueRecoveries() {
        if (!anyRecovering || !session.pump().roomForMore()) {
            return;
        }
        boolean any = false;
        for (Subscription sub : new ArrayList<>(subscriptions.values())) {
            any |= sub.recovering;
            if (sub.recovering && !sub.fetching) {
                continueRecovery(sub);
            }
        }
        anyRecovering = any;
    }

    /**
     * The next page of a recovery that did not fit in the subscribed reply, as publication
     * messages. Each page moves the client's position on, so recovery converges, and a reconnect
     * during it resumes where it got to.
     */
    private void continueRecovery(Subscription sub) {
        sub.fetching = true;
        StreamPosition from = new StreamPosition(sub.offset, sub.epoch);
        ctx.broker().history(sub.channel, from, sub.namespace.historySize(), sub.namespace.historyOptions())
                .whenComplete((page, failure) -> session.execute(() -> {
                    sub.fetching = false;
                    if (session.active() && subscriptions.get(sub.channel) == sub) {
                        onRecoveryPage(sub, page, failure);
                    }
                }));
    }

    private void onRecoveryPage(Subscription sub, HistoryPage page, Throwable failure) {
        if (failure != null || !page.recoverable() || !page.epoch().equals(sub.epoch)) {
            // History moved on under us (expired, trimmed, another epoch): the client resumes from
            // the position it has reached, and is told there.
            session.disconnect(DisconnectCode.INSUFFICIENT_STATE, "Recovery of " + sub.channel
                    + " could not continue from offset " + sub.offset + "; reconnect to resume", null);
            return;
        }
        List<Publication> pubs = page.publications();
        int fit = ReplyBudget.fit(pubs, replyBudget(false));
        for (int i = 0; i < fit; i++) {
            Publication p = pubs.get(i);
            SharedPublication shared = new SharedPublication(page.epoch(), p);
            // Recovered publications are never dropped by a policy: they are what the client asked for.
            if (!session.pump().offerPublication(shared.encoded(session.codec()), sub.channel, p.key(),
                    SlowConsumerPolicy.DISCONNECT)) {
                session.slowConsumer();
                return;
            }
            sub.offset = p.offset();
        }
        boolean caughtUp = sub.offset >= page.offset();
        if (caughtUp && sub.heldBackOverflowed) {
            // Live publications were let go while paging: the stream's top now covers them.
            sub.heldBackOverflowed = false;
            caughtUp = false;
        }
        if (caughtUp) {
            sub.recovering = false;
            release(sub);
        }
        session.flush(); // and, with room, the next page
    }

    // ---- helpers

    /**
     * What one reply may carry: a quarter of the connection's queue, so that a reply never makes its
     * reader a slow consumer. The subscriptions resumed in one {@code connected} share it.
     */
    long replyBudget(boolean resumed) {
        long budget = ctx.config().maxQueuedBytes() / 4;
        return resumed ? budget / Math.max(1, resumedCount) : budget;
    }

    private void put(Subscription sub) {
        subscriptions.put(sub.channel, sub);
        channelNames = List.copyOf(subscriptions.keySet());
    }

    private Subscription remove(String channel) {
        Subscription sub = subscriptions.remove(channel);
        if (sub != null) {
            channelNames = List.copyOf(subscriptions.keySet());
        }
        return sub;
    }

    private static CompletableFuture<ServerMessage> error(ErrorCode code, String message, Long id) {
        return CompletableFuture.completedFuture(new ServerMessage.Error(id, code.code(), message));
    }
}
