package dev.duplex.hub.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.hub.ChannelAccess;
import dev.duplex.hub.DeliveryMode;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.SlowConsumerPolicy;
import dev.duplex.hub.auth.TokenException;
import dev.duplex.hub.auth.VerifiedToken;
import dev.duplex.hub.broker.BrokerCapacityException;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.PublishRequest;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.DisconnectCode;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Payload;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.hub.limits.TokenBucket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The hub's side of one client connection, without I/O: commands in ({@link #onMessage}), replies
 * and pushes out through a {@link SessionTransport}. It authenticates, enforces the namespace rules
 * and rate limits, merges recovered history with live publications by offset so nothing is missed
 * or repeated, and queues outbound messages under the slow-consumer policy.
 *
 * <p>Thread-safety: commands arrive on the connection's thread; publications, broker replies and the
 * hub's timers arrive on others. All state is guarded by this object's monitor, which is never held
 * while calling into the broker, the hub's channel registry or the transport's send (which may call
 * the endpoint back on the spot, see {@link #flush}).
 */
public final class HubSession {
    private static final System.Logger LOG = System.getLogger("dev.duplex.hub");

    private final SessionHost hub;
    private final HubConfig config;
    private final SessionTransport transport;
    private final HubCodec codec;
    private final String clientId;
    private final long openedNanos;
    private final TokenBucket commandRate;
    private final OutboundQueue queue;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();

    private volatile long lastReceivedNanos;
    private boolean connected;
    private boolean closed;
    /** A disconnect is scheduled ({@link #disconnectSoon}): nothing more is queued meanwhile. */
    private boolean ending;
    /** A thread is in {@link #flush} handing messages to the transport. */
    private boolean flushing;
    private ClientInfo info;
    private String user = "";
    private Long expiresAt;
    private String traceKey;
    private final FrameTraces traces;
    private int badInARow;
    /** Subscriptions resumed by the connect command: they share one reply's budget. */
    private int resumedCount;
    /** Some subscription may still be recovering page by page: flushes look for room to go on. */
    private volatile boolean anyRecovering;
    private int throttledInARow;
    private long messagesOut;
    private TokenBucket userRate;

    public HubSession(SessionHost hub, SessionTransport transport, HubCodec codec) {
        this.hub = hub;
        this.config = hub.config();
        this.transport = transport;
        this.codec = codec;
        this.clientId = hub.newClientId();
        this.openedNanos = hub.nanoTime();
        this.lastReceivedNanos = openedNanos;
        this.commandRate = new TokenBucket(config.commandsPerSecond(), config.commandBurst(), openedNanos);
        this.queue = new OutboundQueue(config.maxQueuedBytes());
        this.traces = new FrameTraces(this, transport, hub::currentTimeMillis, hub::nanoTime);
    }

    FrameTraces traces() {
        return traces;
    }

    public String clientId() {
        return clientId;
    }

    public HubCodec codec() {
        return codec;
    }

    /** The authenticated user ("" for anonymous connections and before {@code connect}). */
    public synchronized String user() {
        return user;
    }

    public synchronized ClientInfo info() {
        return info;
    }

    public synchronized boolean connected() {
        return connected && !closed;
    }

    /** One message from the client: a command in this session's wire format. */
    public void onMessage(byte[] bytes, int offset, int length) {
        long now = hub.nanoTime();
        lastReceivedNanos = now;
        hub.metrics().commandReceived(length);
        // Every message costs a token, well-formed or not: bad messages must not bypass the limit.
        boolean allowed = commandRate.tryAcquire(now) && userRateAllows(now);
        Command command;
        try {
            command = codec.decodeCommand(bytes, offset, length);
        } catch (ProtocolException e) {
            badCommand(e);
            return;
        }
        if (!allowed) {
            throttled(command.id(), now);
            return;
        }
        synchronized (this) {
            throttledInARow = 0;
        }
        try {
            dispatch(command, length);
        } catch (ProtocolException e) {
            badCommand(e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Command " + command.getClass().getSimpleName() + " of " + clientId + " failed", e);
            reply(new ServerMessage.Error(command.id(), ErrorCode.INTERNAL.code(), "Internal error; try again"));
        }
    }

    private boolean userRateAllows(long now) {
        TokenBucket bucket;
        synchronized (this) {
            bucket = userRate;
        }
        return bucket == null || bucket.tryAcquire(now);
    }

    private void throttled(Long id, long now) {
        int inARow;
        synchronized (this) {
            inARow = ++throttledInARow;
        }
        if (inARow > config.commandBurst()) {
            disconnect(DisconnectCode.TOO_MANY_REQUESTS, null, Math.max(1_000L, commandRate.millisUntilAvailable(now)));
            return;
        }
        reply(new ServerMessage.Error(id, ErrorCode.TOO_MANY_REQUESTS.code(),
                "More than " + config.commandsPerSecond() + " commands per second; slow down"));
    }

    private void badCommand(ProtocolException e) {
        reply(e.toReply());
        boolean clientFault = e.code() == ErrorCode.BAD_REQUEST || e.code() == ErrorCode.UNKNOWN_COMMAND;
        int inARow;
        synchronized (this) {
            inARow = clientFault ? ++badInARow : badInARow;
        }
        if (inARow >= config.maxBadCommands()) {
            disconnect(DisconnectCode.BAD_REQUEST, null, null);
        }
    }

    private void dispatch(Command command, int length) throws ProtocolException {
        if (command instanceof Command.Connect c) {
            connect(c);
            return;
        }
        synchronized (this) {
            if (!connected) {
                throw new ProtocolException(ErrorCode.NOT_CONNECTED, "Send a connect command first", command.id());
            }
            badInARow = 0;
        }
        if (command instanceof Command.Subscribe s) {
            subscribe(s.id(), s.channel(), s.since(), s.token(), false).thenAccept(this::reply);
        } else if (command instanceof Command.Unsubscribe u) {
            unsubscribe(u);
        } else if (command instanceof Command.Publish p) {
            publish(p, length);
        } else if (command instanceof Command.Presence p) {
            presence(p);
        } else if (command instanceof Command.History h) {
            history(h);
        } else if (command instanceof Command.Ping p) {
            reply(new ServerMessage.Pong(p.id()));
        } else if (command instanceof Command.Refresh r) {
            refresh(r);
        } else if (command instanceof Command.Trace t) {
            trace(t);
        }
    }

    // ---- connect and tokens

    private void connect(Command.Connect c) throws ProtocolException {
        synchronized (this) {
            if (connected) {
                throw new ProtocolException(ErrorCode.ALREADY_CONNECTED, "This connection is already connected", c.id());
            }
        }
        VerifiedToken token;
        if (c.token() == null || c.token().isEmpty()) {
            if (!config.anonymous()) {
                disconnect(DisconnectCode.UNAUTHORIZED, "This hub needs a token in the connect command", null);
                return;
            }
            token = new VerifiedToken("", null, null);
        } else if (config.tokens() == null) {
            disconnect(DisconnectCode.UNAUTHORIZED, "This hub has no token keys configured; connect without a token", null);
            return;
        } else {
            try {
                token = config.tokens().verifyConnection(c.token(), hub.currentTimeMillis());
            } catch (TokenException e) {
                disconnect(e.expired() ? DisconnectCode.TOKEN_EXPIRED : DisconnectCode.UNAUTHORIZED, e.getMessage(), null);
                return;
            }
        }
        if (!hub.registerUser(token.user(), this)) {
            disconnect(DisconnectCode.USER_CONNECTION_LIMIT, "More than " + config.maxConnectionsPerUser()
                    + " connections for this user", null);
            return;
        }
        boolean abandoned;
        synchronized (this) {
            user = token.user(); // also when abandoned: unregisterUser reads it
            abandoned = closed;
            if (!abandoned) {
                connected = true;
                badInARow = 0;
                expiresAt = token.expiresAt();
                info = new ClientInfo(clientId, user, token.info());
                userRate = hub.userRateLimiter(user);
                traceKey = config.frameTrace() ? hub.newClientId() : null;
            }
        }
        if (abandoned) {
            // Closed meanwhile (connect timeout or drain, on the hub's thread). onClosed gives back
            // the user's slot only for a connected session, so give it back here: this used to leak
            // one of the user's maxConnectionsPerUser slots for good, up to a 3503 for every new
            // connection of that user.
            hub.unregisterUser(this);
            return;
        }
        hub.metrics().connected();
        Map<String, StreamPosition> resume = c.subs() == null ? Map.of() : c.subs();
        List<String> channels = new ArrayList<>(resume.keySet());
        synchronized (this) {
            resumedCount = channels.size();
        }
        List<CompletableFuture<ServerMessage>> results = new ArrayList<>();
        for (String channel : channels) {
            results.add(subscribe(null, channel, resume.get(channel), null, true));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
            Map<String, ServerMessage.Subscribed> subs = new LinkedHashMap<>();
            List<ServerMessage> failed = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                ServerMessage m = results.get(i).join();
                if (m instanceof ServerMessage.Subscribed s) {
                    subs.put(s.channel(), s);
                } else if (m instanceof ServerMessage.Error e) {
                    failed.add(new ServerMessage.Unsubscribed(null, channels.get(i), e.message()));
                } else if (m != null) {
                    failed.add(m);
                }
            }
            // The replies of the resumed subscriptions travel inside "connected": subscribe() held
            // back their live publications until now, so they follow it in order.
            reply(new ServerMessage.Connected(c.id(), clientId, config.heartbeat().toMillis(), expiresAt(),
                    subs.isEmpty() ? null : subs, traceKey()));
            failed.forEach(this::reply);
            for (String channel : subs.keySet()) {
                goLive(channel);
            }
            continueRecoveries();
        });
    }

    private synchronized String traceKey() {
        return traceKey;
    }

    private synchronized Long expiresAt() {
        return expiresAt;
    }

    private void refresh(Command.Refresh r) throws ProtocolException {
        if (config.tokens() == null) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "This hub has no token keys configured", r.id());
        }
        VerifiedToken token;
        try {
            token = config.tokens().verifyConnection(r.token(), hub.currentTimeMillis());
        } catch (TokenException e) {
            throw new ProtocolException(e.expired() ? ErrorCode.TOKEN_EXPIRED : ErrorCode.UNAUTHORIZED, e.getMessage(), r.id());
        }
        synchronized (this) {
            if (!token.user().equals(user)) {
                throw new ProtocolException(ErrorCode.UNAUTHORIZED, "The new token is for another user", r.id());
            }
            expiresAt = token.expiresAt();
        }
        reply(new ServerMessage.Refreshed(r.id(), token.expiresAt()));
    }

    // ---- subscriptions

    /**
     * Subscribes and, when {@code since} is given, recovers. Live publications that arrive while the
     * history is read are held back and merged by offset. A subscription {@code resumed} in connect
     * stays held back until {@link #goLive}, after the connected reply that carries its reply;
     * otherwise the reply is queued here and the future completes with null.
     */
    private CompletableFuture<ServerMessage> subscribe(Long id, String channel, StreamPosition since, String token,
                                                       boolean resumed) {
        NamespaceConfig ns = config.namespaceOf(channel);
        try {
            if (ns == null) {
                throw new ProtocolException(ErrorCode.UNKNOWN_CHANNEL, "No namespace '"
                        + channel.substring(0, channel.indexOf(':')) + "' is configured", id);
            }
            checkSubscribeAccess(ns, channel, token, id);
        } catch (ProtocolException e) {
            return CompletableFuture.completedFuture(e.toReply());
        }
        Subscription sub = new Subscription(ns);
        synchronized (this) {
            if (closed) {
                return new CompletableFuture<>(); // never answered: the connection is gone
            }
            if (subscriptions.containsKey(channel)) {
                return failed(ErrorCode.ALREADY_SUBSCRIBED, "Already subscribed to " + channel, id);
            }
            if (subscriptions.size() >= config.maxChannelsPerConnection()) {
                return failed(ErrorCode.LIMIT_EXCEEDED, "At most " + config.maxChannelsPerConnection()
                        + " channels per connection", id);
            }
            subscriptions.put(channel, sub);
        }
        boolean latest = ns.mode() == DeliveryMode.LATEST && since == null;
        int limit = since != null || latest ? ns.historySize() : 0;
        return hub.attach(channel, this)
                .thenCompose(v -> hub.broker().recover(channel, since, limit, ns.historyOptions()))
                .handle((page, failure) -> {
                    if (failure != null) {
                        dropSubscription(channel, sub);
                        BrokerCapacityException full = capacity(failure);
                        if (full != null) {
                            hub.metrics().capacityRefused(full.limit());
                            return new ServerMessage.Error(id, ErrorCode.LIMIT_EXCEEDED.code(), full.getMessage());
                        }
                        LOG.log(System.Logger.Level.WARNING, "Subscribing " + clientId + " to " + channel + " failed", failure);
                        return new ServerMessage.Error(id, ErrorCode.INTERNAL.code(), "The broker failed; try again");
                    }
                    return subscribed(id, channel, since, latest, page, sub, resumed);
                });
    }

    private void checkSubscribeAccess(NamespaceConfig ns, String channel, String token, Long id) throws ProtocolException {
        ChannelAccess.check(ChannelAccess.Operation.SUBSCRIBE, ns, channel, user(), token, false, config.tokens(),
                hub.currentTimeMillis(), id);
    }

    /** The one access decision for what this connection wants to do with {@code channel}. */
    private void checkAccess(ChannelAccess.Operation operation, NamespaceConfig ns, String channel, String token, Long id)
            throws ProtocolException {
        boolean subscribed;
        synchronized (this) {
            subscribed = subscriptions.containsKey(channel);
        }
        ChannelAccess.check(operation, ns, channel, user(), token, subscribed, config.tokens(), hub.currentTimeMillis(), id);
    }

    private ServerMessage subscribed(Long id, String channel, StreamPosition since, boolean latest,
                                     HistoryPage page, Subscription sub, boolean resumed) {
        List<Publication> publications;
        Boolean recovered = null;
        // The position the reply brings the client to: the stream's top, unless the missed
        // publications do not fit in one reply (then the last one that does, and the rest follows
        // as publication messages before anything live: see continueRecovery).
        long position = page.offset();
        boolean more = false;
        if (since != null) {
            recovered = page.recoverable();
            publications = page.recoverable() ? page.publications() : List.of();
            hub.metrics().recovery(page.recoverable());
            int fit = ReplyBudget.fit(publications, replyBudget(resumed));
            if (fit < publications.size()) {
                publications = publications.subList(0, fit);
                position = lastOffset(publications, since.offset());
                more = true;
            }
        } else if (latest && !page.publications().isEmpty()) {
            publications = List.of(page.publications().get(page.publications().size() - 1));
        } else {
            publications = List.of();
        }
        synchronized (this) {
            if (subscriptions.get(channel) != sub) {
                return new ServerMessage.Unsubscribed(id, channel, "unsubscribed while subscribing");
            }
            sub.epoch = page.epoch();
            sub.offset = position;
            sub.recovering = more;
            anyRecovering |= more;
        }
        ClientInfo me = info();
        NamespaceConfig ns = sub.namespace;
        if (ns.presence()) {
            hub.broker().addPresence(channel, me);
        }
        if (ns.joinLeave()) {
            hub.broker().publishJoin(channel, me);
        }
        hub.metrics().subscribed();
        ServerMessage.Subscribed reply = new ServerMessage.Subscribed(id, channel, page.epoch(), position, recovered, publications);
        if (!resumed) {
            // Queue the reply and release the held-back publications in one step, so nothing live
            // can slip in before the reply.
            synchronized (this) {
                enqueueReply(reply);
                if (!sub.recovering) {
                    releaseHeldBack(channel, sub);
                }
            }
            flush();
            return null;
        }
        return reply;
    }

    private static long lastOffset(List<Publication> publications, long otherwise) {
        return publications.isEmpty() ? otherwise : publications.get(publications.size() - 1).offset();
    }

    /**
     * What one reply may carry: a quarter of the connection's queue, so that a reply never makes its
     * reader a slow consumer. The resumed subscriptions of one {@code connected} share it.
     */
    private long replyBudget(boolean resumed) {
        long budget = config.maxQueuedBytes() / 4;
        return resumed ? budget / Math.max(1, resumedCount) : budget;
    }

    /** A resumed subscription starts delivering (or goes on recovering) after the connected reply went out. */
    private void goLive(String channel) {
        synchronized (this) {
            Subscription sub = subscriptions.get(channel);
            if (sub != null && !sub.recovering) {
                releaseHeldBack(channel, sub);
            }
        }
        flush();
    }

    private void releaseHeldBack(String channel, Subscription sub) {
        sub.live = true;
        List<SharedPublication> held = sub.heldBack;
        sub.heldBack = null;
        sub.heldBackBytes = 0;
        if (held != null) {
            for (SharedPublication p : held) {
                deliverLocked(channel, sub, p);
            }
        }
    }

    /**
     * Recovery that did not fit in the subscribed reply: the next page from history, as publication
     * messages, once the queue has room for it; live publications stay held back until the pages
     * reach the stream's top. Each page moves the client's position on, so recovery converges, and
     * a reconnect during it resumes where it got to. Called from {@link #flush} when the queue has
     * drained enough.
     */
    private void continueRecovery(String channel, Subscription sub) {
        StreamPosition from;
        synchronized (this) {
            if (closed || ending || subscriptions.get(channel) != sub || !sub.recovering || sub.fetching) {
                return;
            }
            sub.fetching = true;
            from = new StreamPosition(sub.offset, sub.epoch);
        }
        hub.broker().history(channel, from, sub.namespace.historySize(), sub.namespace.historyOptions())
                .whenComplete((page, failure) -> {
                    boolean more;
                    synchronized (this) {
                        sub.fetching = false;
                        if (closed || ending || subscriptions.get(channel) != sub) {
                            return;
                        }
                        if (failure != null || !page.recoverable() || !page.epoch().equals(sub.epoch)) {
                            // The history moved on under us (expired, trimmed, another epoch): the
                            // client resumes from the position it has reached, and is told there.
                            disconnectSoon(DisconnectCode.INSUFFICIENT_STATE, "Recovery of " + channel
                                    + " could not continue from offset " + sub.offset + "; reconnect to resume");
                            return;
                        }
                        List<Publication> pubs = page.publications();
                        int fit = ReplyBudget.fit(pubs, replyBudget(false));
                        long now = hub.nanoTime();
                        for (int i = 0; i < fit; i++) {
                            Publication p = pubs.get(i);
                            SharedPublication shared = new SharedPublication(page.epoch(), p);
                            if (!queue.offer(new OutboundQueue.Entry(shared.encoded(codec), channel, p.key(),
                                    SlowConsumerPolicy.DISCONNECT, now), transport.bufferedAmount())) {
                                disconnectSoon(DisconnectCode.SLOW_CONSUMER, null);
                                return;
                            }
                            sub.offset = p.offset();
                        }
                        boolean caughtUp = sub.offset >= page.offset();
                        if (caughtUp && sub.heldBackOverflowed) {
                            // Live publications were let go while paging: read again, the stream's
                            // top now covers them.
                            sub.heldBackOverflowed = false;
                            caughtUp = false;
                        }
                        if (caughtUp) {
                            sub.recovering = false;
                            releaseHeldBack(channel, sub);
                        }
                        more = sub.recovering;
                    }
                    flush();
                    if (more && roomForRecovery()) {
                        continueRecovery(channel, sub);
                    }
                });
    }

    /** Whether the queue is low enough to take another page of recovery. */
    private boolean roomForRecovery() {
        synchronized (this) {
            return queue.bytes() + transport.bufferedAmount() <= config.maxQueuedBytes() / 2;
        }
    }

    /** Starts the next page of every subscription still recovering (after a flush made room). */
    private void continueRecoveries() {
        List<Map.Entry<String, Subscription>> recovering = new ArrayList<>();
        synchronized (this) {
            if (closed || ending) {
                return;
            }
            boolean any = false;
            for (Map.Entry<String, Subscription> e : subscriptions.entrySet()) {
                any |= e.getValue().recovering;
                if (e.getValue().recovering && !e.getValue().fetching) {
                    recovering.add(e);
                }
            }
            anyRecovering = any;
        }
        for (Map.Entry<String, Subscription> e : recovering) {
            continueRecovery(e.getKey(), e.getValue());
        }
    }

    private void unsubscribe(Command.Unsubscribe u) throws ProtocolException {
        Subscription sub;
        synchronized (this) {
            sub = subscriptions.remove(u.channel());
        }
        if (sub == null) {
            throw new ProtocolException(ErrorCode.NOT_SUBSCRIBED, "Not subscribed to " + u.channel(), u.id());
        }
        leave(u.channel(), sub);
        reply(new ServerMessage.Unsubscribed(u.id(), u.channel(), null));
    }

    private void dropSubscription(String channel, Subscription sub) {
        boolean removed;
        synchronized (this) {
            removed = subscriptions.remove(channel, sub);
        }
        if (removed) {
            hub.detach(channel, this);
        }
    }

    private void leave(String channel, Subscription sub) {
        hub.detach(channel, this);
        hub.metrics().unsubscribed();
        ClientInfo me = info();
        if (sub.namespace.presence()) {
            hub.broker().removePresence(channel, clientId);
        }
        if (sub.namespace.joinLeave()) {
            hub.broker().publishLeave(channel, me);
        }
    }

    // ---- publish, presence, history

    private void publish(Command.Publish p, int commandLength) throws ProtocolException {
        NamespaceConfig ns = namespace(p.channel(), p.id());
        checkAccess(ChannelAccess.Operation.PUBLISH, ns, p.channel(), null, p.id());
        // Encoded (and checked to have a form in every wire format) before the broker gives it an
        // offset: what cannot reach every subscriber is refused here, never skipped later.
        Payload data;
        try {
            data = Payload.encode(p.data(), codec);
        } catch (ProtocolException e) {
            throw new ProtocolException(e.code(), e.getMessage(), p.id());
        }
        if (data.size() > ns.maxMessageBytes()) {
            throw new ProtocolException(ErrorCode.MESSAGE_TOO_LARGE, "The data is " + data.size()
                    + " bytes; " + p.channel() + " allows " + ns.maxMessageBytes(), p.id());
        }
        PublishRequest request = new PublishRequest(p.channel(), data, info(), p.key(), ns.historyOptions(),
                p.msgId(), ns.dedupWindow());
        hub.broker().publish(request).whenComplete((result, failure) -> {
            if (failure != null) {
                BrokerCapacityException full = capacity(failure);
                if (full != null) {
                    hub.metrics().capacityRefused(full.limit());
                    reply(new ServerMessage.Error(p.id(), ErrorCode.LIMIT_EXCEEDED.code(), full.getMessage()));
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "Publish to " + p.channel() + " failed", failure);
                reply(new ServerMessage.Error(p.id(), ErrorCode.INTERNAL.code(), "The broker did not accept the publication; retry"));
                return;
            }
            hub.metrics().published(result.duplicate());
            reply(new ServerMessage.Ack(p.id(), p.channel(), result.epoch(), result.offset(), result.duplicate()));
        });
    }

    private void presence(Command.Presence p) throws ProtocolException {
        NamespaceConfig ns = namespace(p.channel(), p.id());
        if (!ns.presence()) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "Presence is off for " + p.channel(), p.id());
        }
        checkAccess(ChannelAccess.Operation.PRESENCE, ns, p.channel(), p.token(), p.id());
        hub.broker().presence(p.channel()).whenComplete((clients, failure) -> reply(failure != null
                ? new ServerMessage.Error(p.id(), ErrorCode.INTERNAL.code(), "The broker failed; try again")
                : presenceReply(p, clients)));
    }

    /** Who is subscribed, cut to one reply's worth (with the total) on a crowded channel. */
    private ServerMessage presenceReply(Command.Presence p, List<ClientInfo> clients) {
        int fit = ReplyBudget.fitClients(clients, replyBudget(false));
        return fit == clients.size() ? new ServerMessage.PresenceResult(p.id(), p.channel(), clients)
                : new ServerMessage.PresenceResult(p.id(), p.channel(), List.copyOf(clients.subList(0, fit)), clients.size());
    }

    private void history(Command.History h) throws ProtocolException {
        NamespaceConfig ns = namespace(h.channel(), h.id());
        if (ns.historySize() == 0) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "History is off for " + h.channel(), h.id());
        }
        checkAccess(ChannelAccess.Operation.HISTORY, ns, h.channel(), h.token(), h.id());
        int limit = h.limit() == null ? ns.historySize() : Math.min(h.limit(), ns.historySize());
        hub.broker().history(h.channel(), h.since(), limit, ns.historyOptions()).whenComplete((page, failure) -> {
            if (failure != null) {
                reply(new ServerMessage.Error(h.id(), ErrorCode.INTERNAL.code(), "The broker failed; try again"));
            } else if (!page.recoverable()) {
                reply(new ServerMessage.Error(h.id(), ErrorCode.UNRECOVERABLE_POSITION.code(),
                        "Position " + h.since().offset() + " of epoch " + h.since().epoch()
                                + " is no longer in history (now epoch " + page.epoch() + ", offset " + page.offset() + ")"));
            } else {
                // At most one reply's worth: "more" says to ask again from the last offset received.
                List<Publication> pubs = page.publications();
                int fit = ReplyBudget.fit(pubs, replyBudget(false));
                List<Publication> sent = pubs.subList(0, fit);
                boolean more = !sent.isEmpty() && sent.get(sent.size() - 1).offset() < page.offset();
                reply(new ServerMessage.HistoryResult(h.id(), h.channel(), page.epoch(), page.offset(), sent, more ? true : null));
            }
        });
    }

    private NamespaceConfig namespace(String channel, Long id) throws ProtocolException {
        NamespaceConfig ns = config.namespaceOf(channel);
        if (ns == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_CHANNEL, "No namespace '"
                    + channel.substring(0, channel.indexOf(':')) + "' is configured", id);
        }
        return ns;
    }

    // ---- outbound

    /** A publication for one of this session's channels (called by the hub's fan-out, any thread). */
    public void deliver(SharedPublication publication) {
        boolean overflow;
        synchronized (this) {
            Subscription sub = subscriptions.get(publication.channel());
            if (sub == null || closed || ending) {
                return;
            }
            if (!sub.live) {
                if (sub.recovering && sub.heldBackBytes + publication.publication().payload().size() > replyBudget(false)) {
                    // While recovery pages through history, what is held back is bounded: let it
                    // go, the pages will read it from history (continueRecovery reads again).
                    sub.heldBack = null;
                    sub.heldBackBytes = 0;
                    sub.heldBackOverflowed = true;
                    return;
                }
                if (sub.heldBack == null) {
                    sub.heldBack = new ArrayList<>();
                }
                sub.heldBack.add(publication);
                sub.heldBackBytes += publication.publication().payload().size();
                return;
            }
            overflow = !deliverLocked(publication.channel(), sub, publication);
        }
        if (overflow) {
            return;
        }
        flush();
    }

    /** Returns false if the session had to disconnect. Caller holds the monitor. */
    private boolean deliverLocked(String channel, Subscription sub, SharedPublication p) {
        if (ending) {
            return false;
        }
        if (!p.epoch().equals(sub.epoch) || p.offset() > sub.offset + 1) {
            if (p.epoch().equals(sub.epoch) && p.offset() <= sub.offset) {
                return true; // already delivered through recovery
            }
            // The stream restarted or skipped: the client cannot continue without knowing.
            disconnectSoon(DisconnectCode.INSUFFICIENT_STATE, "Stream of " + channel
                    + " lost continuity; reconnect to recover");
            return false;
        }
        if (p.offset() <= sub.offset) {
            return true; // already delivered through recovery
        }
        sub.offset = p.offset();
        OutboundQueue.Entry entry = new OutboundQueue.Entry(p.encoded(codec), channel, p.publication().key(),
                sub.namespace.slowConsumer(), hub.nanoTime());
        long before = queue.dropped();
        if (!queue.offer(entry, transport.bufferedAmount())) {
            disconnectSoon(DisconnectCode.SLOW_CONSUMER, null);
            return false;
        }
        if (queue.dropped() > before) {
            hub.metrics().slowConsumer(sub.namespace.slowConsumer(), queue.dropped() - before);
        }
        return true;
    }

    /** Join and leave pushes for a channel this session is subscribed to. */
    public void deliverPresenceEvent(String channel, ServerMessage event, ClientInfo who) {
        if (clientId.equals(who.client())) {
            return; // one's own join/leave is known from the subscribe/unsubscribe reply
        }
        synchronized (this) {
            Subscription sub = subscriptions.get(channel);
            if (sub == null || !sub.live || closed) {
                return;
            }
        }
        reply(event);
    }

    private void reply(ServerMessage message) {
        if (message == null) {
            return;
        }
        if (message instanceof ServerMessage.Error e) {
            hub.metrics().errorReply(e.code());
        }
        boolean ok;
        synchronized (this) {
            if (closed || ending) {
                return;
            }
            ok = enqueueReply(message);
        }
        if (ok) {
            flush();
        }
    }

    private boolean enqueueReply(ServerMessage message) {
        EncodedMessage encoded = new EncodedMessage(codec.encode(message), codec.binary());
        if (!queue.offer(new OutboundQueue.Entry(encoded, null, null, null, hub.nanoTime()), transport.bufferedAmount())) {
            disconnectSoon(DisconnectCode.SLOW_CONSUMER, null);
            return false;
        }
        return true;
    }

    /**
     * Disconnects on the hub's thread, for callers holding the monitor (the transport is not called
     * under it). Until then nothing more is queued, and only the first cause counts: every
     * publication that arrived before the disconnect ran used to count one more slow-consumer
     * disconnect in the metrics, and one more scheduled disconnect. A slow consumer is counted under
     * {@code policy="disconnect"} whatever its namespace's policy, since that is what happened to it
     * (a drop policy's count is of dropped publications). Caller holds the monitor.
     */
    private void disconnectSoon(DisconnectCode code, String reason) {
        if (ending) {
            return;
        }
        ending = true;
        if (code == DisconnectCode.SLOW_CONSUMER) {
            hub.metrics().slowConsumer(SlowConsumerPolicy.DISCONNECT, 1);
        }
        hub.runLater(() -> disconnect(code, reason, null));
    }

    /**
     * Hands queued messages to the socket while it has room. Called after every enqueue, when the
     * socket drained ({@link #onWritable}) and by the hub's timer while something is held back.
     *
     * <p>The monitor is not held while sending: on the connection's own event loop a send writes at
     * once, and a write that fails closes the connection and calls the endpoint's {@code onClose}
     * right there, which leaves every channel and so takes the monitors of the other subscribers
     * (join/leave pushes). Two event loops doing that for two sessions, each holding its own
     * session's monitor, deadlocked the hub (found by ChaosTest). One thread at a time sends
     * ({@link #flushing}), so messages still go out in queue order; a flush that finds another
     * under way leaves the new messages to it.
     *
     * <p>Flushes run on any thread (the connection's loop, a publisher's loop, the hub's timer);
     * the WebSocket keeps sends in call order across threads (ChaosTest and OrderingTest found a
     * publication overtaking the one before it when it did not).
     */
    public void flush() {
        synchronized (this) {
            if (flushing) {
                return; // the sender looks at the queue again before it stops
            }
            flushing = true;
        }
        boolean blocked = false;
        boolean sender = true;
        try {
            while (true) {
                OutboundQueue.Entry e;
                synchronized (this) {
                    boolean more = !closed && !queue.isEmpty();
                    blocked = more && transport.bufferedAmount() >= hub.socketWatermark();
                    if (!more || blocked) {
                        // Stop in the same step as the last look at the queue, or a message queued
                        // in between would wait for the next flush.
                        flushing = false;
                        sender = false;
                        break;
                    }
                    e = queue.poll();
                    messagesOut++;
                }
                hub.metrics().sent(e.message().size(), hub.nanoTime() - e.enqueuedNanos());
                transport.send(e.message());
            }
        } finally {
            if (sender) { // the transport threw
                synchronized (this) {
                    flushing = false;
                }
            }
        }
        if (blocked) {
            hub.markBlocked(this);
        } else if (anyRecovering && roomForRecovery()) {
            continueRecoveries();
        }
    }

    public void onWritable() {
        flush();
    }

    // ---- frame traces

    private void trace(Command.Trace t) throws ProtocolException {
        if (!config.frameTrace()) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "This hub does not offer frame traces (frame_trace is off)", t.id());
        }
        HubSession target = hub.session(t.client());
        if (!t.enabled()) {
            traces.unwatch(target);
            reply(new ServerMessage.Tracing(t.id(), t.client(), false));
            return;
        }
        String key = target == null ? null : target.traceKey();
        if (key == null || !MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8),
                t.key().getBytes(StandardCharsets.UTF_8))) {
            throw new ProtocolException(ErrorCode.PERMISSION_DENIED, "No connection " + t.client()
                    + " with that trace key on this node", t.id());
        }
        String refused = traces.watch(target, () -> reply(new ServerMessage.Tracing(t.id(), t.client(), true)));
        if (refused != null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, refused, t.id());
        }
    }

    /** A message from the hub itself (frame traces) to this connection. */
    void push(ServerMessage message) {
        reply(message);
    }

    // ---- lifecycle

    /**
     * Deadlines, checked by the hub about once a second: the connect command, the heartbeat, the
     * token's expiry.
     */
    public void checkDeadlines() {
        long now = hub.nanoTime();
        boolean isConnected;
        Long expiry;
        synchronized (this) {
            if (closed) {
                return;
            }
            isConnected = connected;
            expiry = expiresAt;
        }
        if (!isConnected) {
            if (now - openedNanos > config.connectTimeout().toNanos()) {
                disconnect(DisconnectCode.CONNECT_TIMEOUT, "No connect command within "
                        + config.connectTimeout().toMillis() + " ms", null);
            }
            return;
        }
        if (now - lastReceivedNanos > 2 * config.heartbeat().toNanos()) {
            disconnect(DisconnectCode.NO_PING, null, null);
        } else if (expiry != null && hub.currentTimeMillis() >= expiry) {
            disconnect(DisconnectCode.TOKEN_EXPIRED, "The token expired; reconnect with a fresh one", null);
        }
    }

    /** Sends a {@code disconnect} message and closes the connection with the same code. */
    public void disconnect(DisconnectCode code, String reason, Long retryAfterMillis) {
        disconnect(code.code(), reason == null ? code.reason() : reason, code.reconnect(), retryAfterMillis, code.code());
    }

    /**
     * Sends a {@code disconnect} message with {@code code} and closes with {@code closeCode} (1001
     * during a drain). What is still queued is dropped: the client recovers it from history.
     */
    public void disconnect(int code, String reason, boolean reconnect, Long retryAfterMillis, int closeCode) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
        }
        hub.metrics().disconnected(code);
        LOG.log(System.Logger.Level.DEBUG, "Disconnecting {0} ({1}): {2} {3}", clientId, transport.remoteAddress(), code, reason);
        transport.send(new EncodedMessage(codec.encode(new ServerMessage.Disconnect(code, reason, reconnect, retryAfterMillis)),
                codec.binary()));
        transport.close(closeCode, truncate(reason));
        // Leave the channels now rather than when the close handshake ends: a consumer that does
        // not read may take the whole close timeout to go, and must not linger in presence or keep
        // receiving publications meanwhile.
        hub.runLater(this::leaveAll);
    }

    private void leaveAll() {
        List<Map.Entry<String, Subscription>> left;
        synchronized (this) {
            left = new ArrayList<>(subscriptions.entrySet());
            subscriptions.clear();
        }
        for (Map.Entry<String, Subscription> e : left) {
            leave(e.getKey(), e.getValue());
        }
    }

    /** The connection is gone (whoever closed it): leave every channel. */
    public void onClosed() {
        List<Map.Entry<String, Subscription>> left;
        boolean wasConnected;
        synchronized (this) {
            closed = true;
            queue.clear();
            left = new ArrayList<>(subscriptions.entrySet());
            subscriptions.clear();
            wasConnected = connected;
            connected = false;
        }
        traces.close();
        for (Map.Entry<String, Subscription> e : left) {
            leave(e.getKey(), e.getValue());
        }
        if (wasConnected) {
            hub.unregisterUser(this);
            hub.metrics().connectionClosed();
        }
    }

    // ---- stats

    /** A snapshot of this connection for the stats API and metrics. */
    public synchronized Stats stats() {
        OutboundQueue.Entry head = queue.peek();
        long oldestMillis = head == null ? 0 : (hub.nanoTime() - head.enqueuedNanos()) / 1_000_000;
        return new Stats(clientId, user, transport.remoteAddress(), codec.subprotocol(), List.copyOf(subscriptions.keySet()),
                queue.bytes() + transport.bufferedAmount(), queue.size(), oldestMillis, queue.dropped(), messagesOut);
    }

    /** What the stats API shows per connection. */
    public record Stats(String client, String user, String address, String protocol, List<String> channels,
                        long queuedBytes, int queuedMessages, long oldestQueuedMillis, long dropped, long messagesOut) {
    }

    /** The capacity refusal behind a failed broker call, or null if it failed for another reason. */
    private static BrokerCapacityException capacity(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BrokerCapacityException full) {
                return full;
            }
        }
        return null;
    }

    private CompletableFuture<ServerMessage> failed(ErrorCode code, String message, Long id) {
        return CompletableFuture.completedFuture(new ServerMessage.Error(id, code.code(), message));
    }

    private static String truncate(String reason) {
        if (reason == null) {
            return "";
        }
        // A close reason holds at most 123 bytes of UTF-8.
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= 123) {
            return reason;
        }
        int end = Math.min(reason.length(), 100);
        while (end > 0 && reason.substring(0, end).getBytes(StandardCharsets.UTF_8).length > 120) {
            end--;
        }
        return reason.substring(0, end);
    }

    /** One channel of this session. Guarded by the session's monitor. */
    private static final class Subscription {
        final NamespaceConfig namespace;
        String epoch;
        long offset;
        boolean live;
        List<SharedPublication> heldBack;
        long heldBackBytes;
        /** Recovery continues page by page after the subscribed reply (see continueRecovery). */
        boolean recovering;
        /** A page is being read from history. */
        boolean fetching;
        /** Held-back live publications were let go during recovery: read history once more before going live. */
        boolean heldBackOverflowed;

        Subscription(NamespaceConfig namespace) {
            this.namespace = namespace;
        }
    }
}
