package dev.duplex.hub.session;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.auth.TokenException;
import dev.duplex.hub.auth.VerifiedToken;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.DisconnectCode;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Who a session is: the {@code connect} command (token, user, the subscriptions it resumes),
 * {@code refresh}, and the deadlines of the connection's identity (the connect timeout, the
 * token's expiry). Confined to the session's owner; {@link #user()} and {@link #connected()} may be
 * read from any thread (the stats API, the HTTP API's disconnect).
 */
final class ConnectHandler {
    private final HubSession session;
    private final SessionContext ctx;
    private final HubConfig config;

    private volatile boolean connected;
    private volatile String user = "";
    /** The user holds one of its per-user connection slots, given back when the session ends. */
    private boolean registered;
    private ClientInfo info;
    private Long expiresAt;
    private String traceKey;

    ConnectHandler(HubSession session, SessionContext ctx) {
        this.session = session;
        this.ctx = ctx;
        this.config = ctx.config();
    }

    boolean connected() {
        return connected;
    }

    /** The authenticated user: "" for anonymous connections and before connect. */
    String user() {
        return user;
    }

    /** Who this connection is, as others see it; null before connect. */
    ClientInfo info() {
        return info;
    }

    String traceKey() {
        return traceKey;
    }

    void connect(Command.Connect c) throws ProtocolException {
        if (connected) {
            throw new ProtocolException(ErrorCode.ALREADY_CONNECTED, "This connection is already connected", c.id());
        }
        VerifiedToken token = verify(c.token());
        if (token == null) {
            return; // disconnected
        }
        if (!ctx.users().register(token.user())) {
            session.disconnect(DisconnectCode.USER_CONNECTION_LIMIT, "More than " + config.maxConnectionsPerUser()
                    + " connections for this user", null);
            return;
        }
        registered = true;
        user = token.user();
        connected = true;
        expiresAt = token.expiresAt();
        info = new ClientInfo(session.clientId(), user, token.info());
        traceKey = config.frameTrace() ? ctx.sessions().newId() : null;
        session.gate().userRate(ctx.users().rateLimiter(user));
        session.gate().good();
        ctx.metrics().connected();
        resume(c);
    }

    /** The token's identity, or null after disconnecting the client for a missing or bad token. */
    private VerifiedToken verify(String token) {
        if (token == null || token.isEmpty()) {
            if (!config.anonymous()) {
                session.disconnect(DisconnectCode.UNAUTHORIZED, "This hub needs a token in the connect command", null);
                return null;
            }
            return new VerifiedToken("", null, null);
        }
        if (config.tokens() == null) {
            session.disconnect(DisconnectCode.UNAUTHORIZED, "This hub has no token keys configured; connect without a token", null);
            return null;
        }
        try {
            return config.tokens().verifyConnection(token, ctx.clock().currentTimeMillis());
        } catch (TokenException e) {
            session.disconnect(e.expired() ? DisconnectCode.TOKEN_EXPIRED : DisconnectCode.UNAUTHORIZED, e.getMessage(), null);
            return null;
        }
    }

    /**
     * Resubscribes what {@code connect.subs} names, then replies {@code connected} with their
     * replies inside: their live publications wait until it went out, so they follow it in order.
     */
    private void resume(Command.Connect c) {
        Map<String, StreamPosition> resume = c.subs() == null ? Map.of() : c.subs();
        List<String> channels = new ArrayList<>(resume.keySet());
        Subscriptions subscriptions = session.subscriptions();
        subscriptions.resuming(channels.size());
        List<CompletableFuture<ServerMessage>> results = new ArrayList<>();
        for (String channel : channels) {
            results.add(subscriptions.subscribe(null, channel, resume.get(channel), null, true));
        }
        // Each result completes on the owner (see Subscriptions.subscribe), so this runs there too.
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenRun(() -> {
            if (!session.active()) {
                return;
            }
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
            session.reply(new ServerMessage.Connected(c.id(), session.clientId(), config.heartbeat().toMillis(), expiresAt,
                    subs.isEmpty() ? null : subs, traceKey));
            failed.forEach(session::reply);
            for (String channel : subs.keySet()) {
                subscriptions.goLive(channel);
            }
        });
    }

    void refresh(Command.Refresh r) throws ProtocolException {
        if (config.tokens() == null) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "This hub has no token keys configured", r.id());
        }
        VerifiedToken token;
        try {
            token = config.tokens().verifyConnection(r.token(), ctx.clock().currentTimeMillis());
        } catch (TokenException e) {
            throw new ProtocolException(e.expired() ? ErrorCode.TOKEN_EXPIRED : ErrorCode.UNAUTHORIZED, e.getMessage(), r.id());
        }
        if (!token.user().equals(user)) {
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, "The new token is for another user", r.id());
        }
        expiresAt = token.expiresAt();
        session.reply(new ServerMessage.Refreshed(r.id(), token.expiresAt()));
    }

    /**
     * The identity's deadlines, checked about once a second: no connect within the connect timeout
     * (3005), a token past its expiry (3004). True if the session was disconnected.
     */
    boolean checkDeadlines(long openedNanos, long nowNanos) {
        if (!connected) {
            if (nowNanos - openedNanos > config.connectTimeout().toNanos()) {
                session.disconnect(DisconnectCode.CONNECT_TIMEOUT, "No connect command within "
                        + config.connectTimeout().toMillis() + " ms", null);
                return true;
            }
            return false;
        }
        if (expiresAt != null && ctx.clock().currentTimeMillis() >= expiresAt) {
            session.disconnect(DisconnectCode.TOKEN_EXPIRED, "The token expired; reconnect with a fresh one", null);
            return true;
        }
        return false;
    }

    /** The session ended: give back the user's connection slot. Returns whether it had connected. */
    boolean end() {
        boolean was = connected;
        connected = false;
        if (registered) {
            registered = false;
            ctx.users().unregister(user);
        }
        return was;
    }
}
