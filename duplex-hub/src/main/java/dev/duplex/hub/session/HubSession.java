package dev.duplex.hub.session;

import dev.duplex.hub.SlowConsumerPolicy;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.DisconnectCode;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.protocol.CloseCodes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The hub's side of one client connection: commands in ({@link #onMessage}), replies and pushes
 * out through a {@link SessionTransport}, with no I/O of its own. It authenticates
 * ({@link ConnectHandler}), keeps the client's channels and delivers publications in offset order
 * with recovery ({@link Subscriptions}), publishes and reads ({@link PublishHandler}), and queues
 * what goes out under the slow-consumer policy ({@link OutboundPump}).
 *
 * <p><b>One owner.</b> A session is confined to its connection's event loop: every method except
 * {@link #execute}, {@link #clientId()} and the snapshot readers ({@link #user()},
 * {@link #connected()}, {@link #active()}, {@link #stats()}) must be called there. Whatever comes
 * from elsewhere (a publication of another connection, a broker's reply, the hub's timer, the HTTP
 * API) is handed to it with {@link #execute}. So no lock guards its state, and a call may run
 * into the session again (a send that fails closes the connection on the spot): every step looks at
 * {@link #active()} before acting. Tests drive it with a recording transport and a manual clock.
 */
public final class HubSession {
    private static final System.Logger LOG = System.getLogger("dev.duplex.hub");

    private final SessionContext ctx;
    private final SessionTransport transport;
    private final HubCodec codec;
    private final String clientId;
    private final long openedNanos;
    private final CommandGate gate;
    private final ConnectHandler identity;
    private final Subscriptions subscriptions;
    private final PublishHandler publishing;
    private final OutboundPump pump;
    private final FrameTraces traces;
    private long lastReceivedNanos;
    /** Disconnected or closed: nothing more is done, sent or queued. */
    private volatile boolean closed;

    public HubSession(SessionContext ctx, SessionTransport transport, HubCodec codec) {
        this.ctx = ctx;
        this.transport = transport;
        this.codec = codec;
        this.clientId = ctx.sessions().newId();
        this.openedNanos = ctx.clock().nanoTime();
        this.lastReceivedNanos = openedNanos;
        this.gate = new CommandGate(ctx.config(), openedNanos);
        this.pump = new OutboundPump(ctx, transport);
        this.identity = new ConnectHandler(this, ctx);
        this.subscriptions = new Subscriptions(this, ctx);
        this.publishing = new PublishHandler(this, ctx);
        this.traces = new FrameTraces(this, ctx, transport);
    }

    // ---- any thread

    /** The socket buffer a session fills at most before its own queue (where policies apply) holds the rest. */
    public static long socketWatermark(dev.duplex.hub.HubConfig config) {
        return OutboundPump.socketWatermark(config);
    }

    public String clientId() {
        return clientId;
    }

    /** Runs {@code task} on this session's owner (at once when called there). */
    public void execute(Runnable task) {
        transport.execute(task);
    }

    /** The authenticated user: "" for anonymous connections and before {@code connect}. */
    public String user() {
        return identity.user();
    }

    public boolean connected() {
        return identity.connected() && !closed;
    }

    /** Not disconnected and not closed. */
    public boolean active() {
        return !closed;
    }

    /** A snapshot of this connection for the stats API and metrics (values the owner published). */
    public Stats stats() {
        return new Stats(clientId, user(), transport.remoteAddress(), codec.subprotocol(), subscriptions.channelNames(),
                pump.queuedBytes(), pump.queuedMessages(), pump.oldestQueuedMillis(ctx.clock().nanoTime()), pump.dropped(),
                pump.messagesOut());
    }

    /** What the stats API shows per connection. */
    public record Stats(String client, String user, String address, String protocol, List<String> channels,
                        long queuedBytes, int queuedMessages, long oldestQueuedMillis, long dropped, long messagesOut) {
    }

    // ---- the owner: input

    /** One message from the client: a command in this session's wire format. */
    public void onMessage(byte[] bytes, int offset, int length) {
        if (closed) {
            return;
        }
        long now = ctx.clock().nanoTime();
        lastReceivedNanos = now;
        ctx.metrics().commandReceived(length);
        boolean allowed = gate.admit(now); // every message costs a token, well-formed or not
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
        gate.admitted();
        try {
            dispatch(command);
        } catch (ProtocolException e) {
            badCommand(e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Command " + command.getClass().getSimpleName() + " of " + clientId + " failed", e);
            reply(new ServerMessage.Error(command.id(), ErrorCode.INTERNAL.code(), "Internal error; try again"));
        }
    }

    private void dispatch(Command command) throws ProtocolException {
        if (command instanceof Command.Connect c) {
            identity.connect(c);
            return;
        }
        if (!identity.connected()) {
            throw new ProtocolException(ErrorCode.NOT_CONNECTED, "Send a connect command first", command.id());
        }
        gate.good();
        if (command instanceof Command.Subscribe s) {
            subscriptions.subscribe(s.id(), s.channel(), s.since(), s.token(), false).thenAccept(this::reply);
        } else if (command instanceof Command.Unsubscribe u) {
            subscriptions.unsubscribe(u);
        } else if (command instanceof Command.Publish p) {
            publishing.publish(p);
        } else if (command instanceof Command.Presence p) {
            publishing.presence(p);
        } else if (command instanceof Command.History h) {
            publishing.history(h);
        } else if (command instanceof Command.Ping p) {
            reply(new ServerMessage.Pong(p.id()));
        } else if (command instanceof Command.Refresh r) {
            identity.refresh(r);
        } else if (command instanceof Command.Trace t) {
            trace(t);
        }
    }

    private void throttled(Long id, long now) {
        if (gate.throttled()) {
            disconnect(DisconnectCode.TOO_MANY_REQUESTS, null, Math.max(1_000L, gate.millisUntilAvailable(now)));
            return;
        }
        reply(new ServerMessage.Error(id, ErrorCode.TOO_MANY_REQUESTS.code(),
                "More than " + ctx.config().commandsPerSecond() + " commands per second; slow down"));
    }

    private void badCommand(ProtocolException e) {
        reply(e.toReply());
        if (gate.bad(e.code())) {
            disconnect(DisconnectCode.BAD_REQUEST, null, null);
        }
    }

    /** The socket drained: send what waits, then go on with any recovery in pages. */
    public void onWritable() {
        flush();
    }

    /** A publication for one of this session's channels. */
    public void deliver(SharedPublication publication) {
        subscriptions.deliver(publication);
    }

    /**
     * The broker lost publications of {@code channel} that history cannot give back (or the stream
     * restarted): a subscription positioned before {@code offset} of {@code epoch} must resume.
     */
    public void streamGap(String channel, String epoch, long offset) {
        subscriptions.gap(channel, epoch, offset);
    }

    /** Join and leave pushes for a channel this session is subscribed to. */
    public void deliverPresenceEvent(String channel, ServerMessage event, ClientInfo who) {
        subscriptions.deliverPresenceEvent(channel, event, who);
    }

    /**
     * Deadlines, checked by the hub about once a second: the connect command, the token's expiry,
     * and the heartbeat (nothing from the client for twice its interval: 3003).
     */
    public void checkDeadlines() {
        if (closed) {
            return;
        }
        long now = ctx.clock().nanoTime();
        if (identity.checkDeadlines(openedNanos, now) || !identity.connected()) {
            return;
        }
        if (now - lastReceivedNanos > 2 * ctx.config().heartbeat().toNanos()) {
            disconnect(DisconnectCode.NO_PING, null, null);
        }
    }

    // ---- the owner: output

    /** Queues and sends a reply or push; nothing once disconnected. */
    void reply(ServerMessage message) {
        if (enqueueReply(message)) {
            flush();
        }
    }

    /** Queues a reply without sending yet; false if the session is gone or had to disconnect. */
    boolean enqueueReply(ServerMessage message) {
        if (message == null || closed) {
            return false;
        }
        if (message instanceof ServerMessage.Error e) {
            ctx.metrics().errorReply(e.code());
        }
        if (!pump.offerReply(new EncodedMessage(codec.encode(message), codec.binary()))) {
            slowConsumer();
            return false;
        }
        return true;
    }

    /** A message from the hub itself (frame traces) to this connection. */
    void push(ServerMessage message) {
        reply(message);
    }

    /** Sends what waits while the socket has room, then goes on with recovery in pages. */
    void flush() {
        if (closed) {
            return;
        }
        pump.flush();
        subscriptions.continueRecoveries();
    }

    /** The queue overflowed under the disconnect policy: 3002 (counted under that policy whatever the namespace's). */
    void slowConsumer() {
        if (!closed) {
            ctx.metrics().slowConsumer(SlowConsumerPolicy.DISCONNECT, 1);
            disconnect(DisconnectCode.SLOW_CONSUMER, null, null);
        }
    }

    // ---- frame traces

    private void trace(Command.Trace t) throws ProtocolException {
        if (!ctx.config().frameTrace()) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "This hub does not offer frame traces (frame_trace is off)", t.id());
        }
        HubSession target = ctx.sessions().get(t.client());
        if (!t.enabled()) {
            traces.unwatch(target);
            reply(new ServerMessage.Tracing(t.id(), t.client(), false));
            return;
        }
        // The key is the authentication: only the traced connection's owner knows it.
        String key = target == null ? null : target.identity.traceKey();
        if (key == null || !MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), t.key().getBytes(StandardCharsets.UTF_8))) {
            throw new ProtocolException(ErrorCode.PERMISSION_DENIED, "No connection " + t.client()
                    + " with that trace key on this node", t.id());
        }
        String refused = traces.watch(target, () -> reply(new ServerMessage.Tracing(t.id(), t.client(), true)));
        if (refused != null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, refused, t.id());
        }
    }

    // ---- lifecycle

    /** Sends a {@code disconnect} message and closes the connection with the same code. */
    public void disconnect(DisconnectCode code, String reason, Long retryAfterMillis) {
        disconnect(code.code(), reason == null ? code.reason() : reason, code.reconnect(), retryAfterMillis, code.code());
    }

    /**
     * Sends a {@code disconnect} message with {@code code} and closes with {@code closeCode} (1001
     * during a drain). What is still queued is dropped: the client recovers it from history. The
     * session leaves its channels at once rather than when the close handshake ends: a consumer that
     * does not read may take the whole close timeout to go, and must not linger in presence or keep
     * receiving publications meanwhile.
     */
    public void disconnect(int code, String reason, boolean reconnect, Long retryAfterMillis, int closeCode) {
        if (closed) {
            return;
        }
        closed = true;
        pump.clear();
        ctx.metrics().disconnected(code);
        LOG.log(System.Logger.Level.DEBUG, "Disconnecting {0} ({1}): {2} {3}", clientId, transport.remoteAddress(), code, reason);
        transport.send(new EncodedMessage(codec.encode(new ServerMessage.Disconnect(code, reason, reconnect, retryAfterMillis)),
                codec.binary()));
        transport.close(closeCode, CloseCodes.fitReason(reason));
        end();
    }

    /** The connection is gone, whoever closed it. */
    public void onClosed() {
        closed = true;
        pump.clear();
        end();
    }

    /** Leaves every channel and gives back what the session held; once. */
    private void end() {
        subscriptions.leaveAll();
        traces.close();
        if (identity.end()) {
            ctx.metrics().connectionClosed();
        }
    }

    // ---- for the session's parts

    HubCodec codec() {
        return codec;
    }

    ClientInfo info() {
        return identity.info();
    }

    CommandGate gate() {
        return gate;
    }

    OutboundPump pump() {
        return pump;
    }

    Subscriptions subscriptions() {
        return subscriptions;
    }

    FrameTraces traces() {
        return traces;
    }
}
