package dev.duplex.client;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The client's subscriptions, across connections (PROTOCOL.md, "Streams, history and recovery"):
 * each is resumed in the {@code connect} command from the position its {@link StreamTracker} has
 * reached (channels that need a subscription token are subscribed one by one after
 * {@code connected}), publications that arrive before the {@code subscribed} reply wait for it, and
 * the tracker's de-duplication by offset hands each publication to the listener exactly once, in
 * order. A large recovery arrives in pages: the reply brings the subscription to its
 * {@code offset}, the rest follows as ordinary publications. Transient errors are retried with
 * back-off; the others end the subscription.
 *
 * <p>Threads: {@link #subscribe}, {@link #unsubscribe} and {@link #find} run on the caller's thread
 * and touch only {@code claims}, the concurrent map that decides at once whether a channel is
 * taken; they hand the rest to the loop. Everything else is the loop's.
 */
final class Subscriptions {
    private final DuplexClient client;
    private final Loop loop;
    private final CallbackExecutor callbacks;
    private final TokenFetcher tokens;
    private final Backoff backoff;
    private final long commandTimeoutMillis;
    /** The channels taken, by subscribe calls on any thread; the loop releases those the hub ends. */
    private final ConcurrentMap<String, ClientSubscription> claims = new ConcurrentHashMap<>();

    // The loop's.
    private final Map<String, ClientSubscription> live = new LinkedHashMap<>();
    /** Resumed in the {@code connect} that waits for its {@code connected}. */
    private final Map<String, ClientSubscription> resumed = new LinkedHashMap<>();
    private Connection connection;
    private boolean closed;

    Subscriptions(DuplexClient client, Loop loop, CallbackExecutor callbacks, TokenFetcher tokens, Backoff backoff,
            long commandTimeoutMillis) {
        this.client = client;
        this.loop = loop;
        this.callbacks = callbacks;
        this.tokens = tokens;
        this.backoff = backoff;
        this.commandTimeoutMillis = commandTimeoutMillis;
    }

    // ---- any thread

    /** See {@link DuplexClient#subscribe(String, SubscriptionListener, SubscriptionOptions)}. */
    Subscription subscribe(String channel, SubscriptionListener listener, SubscriptionOptions options) {
        ClientSubscription s = new ClientSubscription(this, client, channel, listener, options);
        if (claims.putIfAbsent(channel, s) != null) {
            throw new IllegalStateException("Already subscribed to \"" + channel
                    + "\": unsubscribe first, or use subscription(channel)");
        }
        if (!loop.execute(() -> add(s))) {
            claims.remove(channel, s);
            throw Errors.clientClosed();
        }
        return s;
    }

    Optional<Subscription> find(String channel) {
        return Optional.ofNullable(claims.get(channel));
    }

    /** See {@link Subscription#unsubscribe()}. */
    void unsubscribe(ClientSubscription s) {
        s.cancelled = true; // no listener call from now on
        if (claims.get(s.channel) != s) {
            return; // ended already
        }
        // Handed over before the claim goes: a new subscribe to the channel can only follow this on the loop.
        loop.execute(() -> remove(s));
        claims.remove(s.channel, s);
    }

    // ---- the loop

    private void add(ClientSubscription s) {
        if (closed) {
            end(s);
            return;
        }
        if (s.cancelled) {
            return; // unsubscribed before it reached the loop
        }
        live.put(s.channel, s);
        if (connection != null && connection.isOpen()) {
            subscribe(s, connection);
        }
    }

    private void remove(ClientSubscription s) {
        if (live.get(s.channel) != s) {
            return;
        }
        live.remove(s.channel);
        s.state = SubscriptionState.UNSUBSCRIBED;
        s.stopRetry();
        s.buffered.clear();
        Connection c = s.requestedOn;
        if (c != null && c.isOpen()) {
            c.request(id -> new Command.Unsubscribe(id, s.channel), Requests.IGNORE, 0);
        }
        // Resumed in a connect not answered yet: onOpen undoes it.
    }

    /** A connection is about to send {@code connect}: the positions to resume from, by channel (null: no position yet). */
    Map<String, StreamPosition> resumeOn(Connection c) {
        resumed.clear();
        Map<String, StreamPosition> subs = new LinkedHashMap<>();
        for (ClientSubscription s : live.values()) {
            if (s.tokenProvider != null) {
                continue; // subscribed one by one after connected, each with a fresh token
            }
            StreamPosition since = s.tracker.position();
            subs.put(s.channel, since);
            s.requestedOn = c;
            s.askedSince = since;
            resumed.put(s.channel, s);
        }
        return subs;
    }

    /** {@code connected} arrived: apply what it says of the resumed subscriptions, subscribe the others. */
    void onOpen(Connection c, Map<String, ServerMessage.Subscribed> replies) {
        connection = c;
        Map<String, ServerMessage.Subscribed> answers = replies == null ? Map.of() : replies;
        for (ClientSubscription s : resumed.values()) {
            ServerMessage.Subscribed reply = answers.get(s.channel);
            if (live.get(s.channel) != s) {
                if (reply != null) { // unsubscribed while the connect was on its way: undo what the hub resumed
                    c.request(id -> new Command.Unsubscribe(id, s.channel), Requests.IGNORE, 0);
                }
            } else if (reply != null) {
                applySubscribed(s, reply);
            } else {
                // The hub could not resume it and says why in an unsubscribed push; a subscribe of
                // its own gets the error code to the listener (or succeeds if the cause was transient).
                s.requestedOn = null;
                s.resumeRefusedOn = c;
            }
        }
        resumed.clear();
        for (ClientSubscription s : live.values()) {
            if (s.requestedOn != c && s.retry == null) {
                subscribe(s, c);
            }
        }
    }

    /** The connection ended: every subscription waits for the next one. */
    void onLost() {
        connection = null;
        resumed.clear();
        for (ClientSubscription s : live.values()) {
            s.state = SubscriptionState.SUBSCRIBING;
            s.requestedOn = null;
            s.resumeRefusedOn = null;
            s.buffered.clear();
            s.stopRetry();
        }
    }

    /** The client was closed: every subscription ends, without a listener call. */
    void closeAll() {
        closed = true;
        for (ClientSubscription s : new ArrayList<>(live.values())) {
            s.stopRetry();
            end(s);
        }
        live.clear();
    }

    void onPublication(Connection c, Publication publication) {
        ClientSubscription s = live.get(publication.channel());
        if (s == null || s.requestedOn != c) {
            return;
        }
        if (s.state == SubscriptionState.SUBSCRIBING) {
            s.buffered.add(publication);
        } else if (s.tracker.accept(publication)) {
            StreamPosition position = s.tracker.position();
            dispatch(s, () -> {
                s.position = position;
                s.listener.onPublication(s, publication);
            });
        }
    }

    void onJoin(ServerMessage.Join join) {
        ClientSubscription s = live.get(join.channel());
        if (s != null && s.state == SubscriptionState.SUBSCRIBED) {
            dispatch(s, () -> s.listener.onJoin(s, join.info()));
        }
    }

    void onLeave(ServerMessage.Leave leave) {
        ClientSubscription s = live.get(leave.channel());
        if (s != null && s.state == SubscriptionState.SUBSCRIBED) {
            dispatch(s, () -> s.listener.onLeave(s, leave.info()));
        }
    }

    /** An {@code unsubscribed} push: the hub ended a subscription (or could not resume it). */
    void onUnsubscribed(Connection c, ServerMessage.Unsubscribed push) {
        ClientSubscription s = live.get(push.channel());
        if (s == null) {
            return;
        }
        if (s.resumeRefusedOn == c) {
            s.resumeRefusedOn = null; // the subscribe sent after connected answers for it
            return;
        }
        live.remove(s.channel);
        end(s);
        dispatch(s, () -> s.listener.onUnsubscribed(s, push.reason()));
    }

    private void subscribe(ClientSubscription s, Connection c) {
        s.requestedOn = c;
        if (s.tokenProvider == null) {
            sendSubscribe(s, c, null);
            return;
        }
        tokens.fetch(() -> s.tokenProvider.token(s.channel), token -> {
            if (stillWanted(s, c)) {
                sendSubscribe(s, c, token);
            }
        }, error -> {
            if (stillWanted(s, c)) {
                failed(s, c, new DuplexClientException("The subscription token provider failed for \"" + s.channel
                        + "\": " + Errors.describe(error), error), true);
            }
        });
    }

    private boolean stillWanted(ClientSubscription s, Connection c) {
        return c.isOpen() && s.requestedOn == c && live.get(s.channel) == s;
    }

    private void sendSubscribe(ClientSubscription s, Connection c, String token) {
        StreamPosition since = s.tracker.position();
        s.askedSince = since;
        c.request(id -> new Command.Subscribe(id, s.channel, token, since), new Requests.Reply() {
            @Override
            public void onReply(ServerMessage reply) {
                if (reply instanceof ServerMessage.Subscribed subscribed) {
                    if (live.get(s.channel) == s && s.requestedOn == c) {
                        applySubscribed(s, subscribed);
                    }
                } else if (reply instanceof ServerMessage.Error error) {
                    failed(s, c, new HubErrorException(error.code(), error.message()), isTransient(error.code()));
                }
                // An unsubscribed reply: an unsubscribe overtook this subscribe, nothing to do.
            }

            @Override
            public void onTimeout() {
                c.abort("no reply to subscribe \"" + s.channel + "\" within " + commandTimeoutMillis + " ms");
            }
        }, commandTimeoutMillis);
    }

    private static boolean isTransient(int code) {
        return code == ErrorCode.INTERNAL.code() || code == ErrorCode.TOO_MANY_REQUESTS.code()
                || code == ErrorCode.TOKEN_EXPIRED.code() || code == ErrorCode.BROKER_UNAVAILABLE.code();
    }

    /**
     * The hub's {@code subscribed}: the tracker decides what is new, then the listener hears, in
     * order, {@code onUnrecoverable} (if continuity was lost), {@code onSubscribed}, and each new
     * publication (of the reply, then of those that arrived before it).
     */
    private void applySubscribed(ClientSubscription s, ServerMessage.Subscribed reply) {
        StreamTracker.Outcome outcome = s.tracker.onSubscribed(s.askedSince, reply.epoch(), reply.offset(),
                reply.recovered(), reply.publications());
        s.state = SubscriptionState.SUBSCRIBED;
        s.failures = 0;
        List<Publication> deliver = new ArrayList<>(outcome.deliver());
        for (Publication early : s.buffered) {
            if (s.tracker.accept(early)) {
                deliver.add(early);
            }
        }
        s.buffered.clear();
        StreamPosition reached = s.tracker.position();
        if (outcome.unrecoverable()) {
            dispatch(s, () -> {
                if (deliver.isEmpty()) {
                    s.position = reached;
                }
                s.listener.onUnrecoverable(s, outcome.position());
            });
        }
        dispatch(s, () -> {
            if (deliver.isEmpty()) {
                s.position = reached;
            }
            s.listener.onSubscribed(s, outcome.recovered(), outcome.position());
        });
        for (int i = 0; i < deliver.size(); i++) {
            Publication publication = deliver.get(i);
            StreamPosition position = i == deliver.size() - 1 ? reached
                    : new StreamPosition(publication.offset(), reached.epoch());
            dispatch(s, () -> {
                s.position = position;
                s.listener.onPublication(s, publication);
            });
        }
    }

    /** Subscribing failed: try again later when the cause may pass, otherwise the subscription ends. */
    private void failed(ClientSubscription s, Connection c, DuplexClientException error, boolean transientError) {
        if (live.get(s.channel) != s) {
            return;
        }
        s.buffered.clear();
        if (transientError) {
            s.failures++;
            s.requestedOn = null;
            long delay = Math.max(100, backoff.delayMillis(Math.min(s.failures, 30)));
            s.retry = loop.schedule(delay, () -> {
                s.retry = null;
                if (c.isOpen() && live.get(s.channel) == s) {
                    subscribe(s, c);
                }
            });
        } else {
            live.remove(s.channel);
            end(s);
        }
        dispatch(s, () -> s.listener.onError(s, error));
    }

    /** It is over: the state says so and its channel is free (before any listener hears of it). */
    private void end(ClientSubscription s) {
        s.state = SubscriptionState.UNSUBSCRIBED;
        claims.remove(s.channel, s);
        if (closed) {
            s.cancelled = true;
        }
    }

    /** A listener call, on the callback executor, unless the application unsubscribed meanwhile. */
    private void dispatch(ClientSubscription s, Runnable call) {
        callbacks.execute(() -> {
            if (!s.cancelled) {
                call.run();
            }
        });
    }
}
