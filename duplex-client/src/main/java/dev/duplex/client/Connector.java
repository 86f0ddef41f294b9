package dev.duplex.client;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.DisconnectCode;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps the client connected: one attempt at a time (a token, a WebSocket, the {@code connect}
 * command that resumes the subscriptions), and when a connection or an attempt ends, the next
 * attempt after the delay the {@link RetryPolicy} gives, or a stop when the hub's code says not to
 * come back. It tells the other parts when a connection opens or ends, and hands them what arrives
 * on the current one: replies to the {@link Requests} that wait for them, pushes to
 * {@link Subscriptions}. Not thread safe: the client's loop owns it.
 */
final class Connector {
    private static final System.Logger LOG = System.getLogger(DuplexClient.class.getName());

    /** What a connection attempt presents to the hub. */
    record Settings(java.net.URI uri, java.util.List<String> subprotocols, java.util.Map<String, String> headers, HubCodec codec, String token, TokenProvider tokenProvider, String name,
                    String version, long commandTimeoutMillis) {
    }

    private final Settings settings;
    private final Loop loop;
    private final WebSocketClient webSockets;
    private final TokenFetcher tokens;
    private final CallbackExecutor callbacks;
    private final StateEvents states;
    private final RetryPolicy retries;
    private final KeepAlive keepAlive;
    private final Subscriptions subscriptions;
    private final Outbox outbox;
    private final List<CompletableFuture<Void>> waiters = new ArrayList<>();
    private Connection current;
    private Loop.Timer nextAttempt;
    /** Between connect() and a stop: attempts follow one another. */
    private boolean running;
    private boolean closed;
    /** A view for {@link DuplexClient#clientId()}: written here only. */
    private volatile String clientId;

    Connector(Settings settings, Loop loop, WebSocketClient webSockets, TokenFetcher tokens, CallbackExecutor callbacks,
            StateEvents states, RetryPolicy retries, KeepAlive keepAlive, Subscriptions subscriptions, Outbox outbox) {
        this.settings = settings;
        this.loop = loop;
        this.webSockets = webSockets;
        this.tokens = tokens;
        this.callbacks = callbacks;
        this.states = states;
        this.retries = retries;
        this.keepAlive = keepAlive;
        this.subscriptions = subscriptions;
        this.outbox = outbox;
    }

    /** The hub's id of the open connection, or null. Any thread. */
    String clientId() {
        return clientId;
    }

    /** The open connection, or null. */
    Connection openConnection() {
        return current != null && current.isOpen() ? current : null;
    }

    /** {@link DuplexClient#connect()}: {@code waiter} completes at the next OPEN. */
    void start(CompletableFuture<Void> waiter) {
        if (closed) {
            callbacks.fail(waiter, Errors.clientClosed());
            return;
        }
        if (openConnection() != null) {
            callbacks.complete(waiter, null);
            return;
        }
        waiters.add(waiter);
        if (!running) {
            running = true;
            retries.restart();
            startAttempt();
        }
    }

    /** {@link DuplexClient#disconnectNow()}. */
    void drop(String reason) {
        if (current != null) {
            current.abort(reason);
        }
    }

    private void startAttempt() {
        nextAttempt = null;
        if (!running || current != null) {
            return;
        }
        Connection c = new Connection(retries.failedAttempts() + 1, loop,
                (aborted, reason) -> end(aborted, Ending.dropped(reason)));
        current = c;
        states.emit(StateEvent.of(ConnectionState.CONNECTING, c.attempt));
        if (settings.tokenProvider() == null) {
            openSocket(c, settings.token());
        } else {
            tokens.fetch(settings.tokenProvider()::token, token -> openSocket(c, token),
                    error -> end(c, Ending.failed("the token provider failed: " + Errors.describe(error), error)));
        }
    }

    private void openSocket(Connection c, String token) {
        if (c.ended) {
            return;
        }
        c.token = token;
        CompletableFuture<WebSocket> opening;
        try {
            opening = webSockets.connect(settings.uri(), settings.subprotocols(), settings.headers(), new HubSocketListener(this, c, loop, settings.codec()));
        } catch (RuntimeException e) {
            end(c, Ending.failed("cannot connect: " + Errors.describe(e), e));
            return;
        }
        opening.whenComplete((ws, error) -> {
            if (error != null) {
                Throwable cause = Errors.unwrap(error);
                loop.execute(() -> end(c, Ending.failed("connection failed: " + Errors.describe(cause), cause)));
            }
        });
    }

    /** The WebSocket is open: send {@code connect}, resuming every subscription in it. */
    void onSocketOpen(Connection c, WebSocket ws) {
        if (c.ended) {
            ws.abort();
            return;
        }
        HubCodec codec = settings.codec();
        c.attach(ws, command -> write(ws, codec, command), ws::execute);
        if (!codec.subprotocol().equals(ws.subprotocol())) {
            end(c, Ending.refused(DisconnectCode.UNSUPPORTED_PROTOCOL.code(), "the server did not agree to the subprotocol "
                    + codec.subprotocol() + " (is " + settings.uri() + " a Duplex hub?)", null));
            return;
        }
        Map<String, StreamPosition> subs = subscriptions.resumeOn(c);
        long timeout = settings.commandTimeoutMillis();
        c.request(id -> new Command.Connect(id, c.token, settings.name(), settings.version(), subs.isEmpty() ? null : subs),
                new Requests.Reply() {
                    @Override
                    public void onReply(ServerMessage reply) {
                        if (reply instanceof ServerMessage.Connected connected) {
                            onConnected(c, connected);
                        } else if (reply instanceof ServerMessage.Error error) {
                            connectRefused(c, error);
                        }
                    }

                    @Override
                    public void onTimeout() {
                        c.abort("no reply to connect within " + timeout + " ms");
                    }
                }, timeout);
    }

    private void onConnected(Connection c, ServerMessage.Connected m) {
        c.open = true;
        clientId = m.client();
        retries.onOpen();
        states.emit(StateEvent.of(ConnectionState.OPEN, c.attempt));
        for (CompletableFuture<Void> waiter : waiters) {
            callbacks.complete(waiter, null);
        }
        waiters.clear();
        subscriptions.onOpen(c, m.subs()); // subscribes go out before the outbox's publishes
        keepAlive.start(c, m.heartbeat(), m.expires());
        outbox.onOpen(c);
    }

    private void connectRefused(Connection c, ServerMessage.Error error) {
        HubErrorException refused = new HubErrorException(error.code(), error.message());
        String reason = "connect refused: " + refused.getMessage();
        boolean denied = error.code() == ErrorCode.UNAUTHORIZED.code() || error.code() == ErrorCode.PERMISSION_DENIED.code();
        end(c, denied ? Ending.refused(DisconnectCode.UNAUTHORIZED.code(), reason, refused) : Ending.failed(reason, refused));
    }

    /** A message on {@code c}: a reply goes to the command waiting for it, a push to whom it concerns. */
    void onMessage(Connection c, ServerMessage message) {
        if (c.ended) {
            return; // from a connection that is over
        }
        if (message instanceof Publication publication) {
            subscriptions.onPublication(c, publication);
        } else if (message instanceof ServerMessage.Join join) {
            subscriptions.onJoin(join);
        } else if (message instanceof ServerMessage.Leave leave) {
            subscriptions.onLeave(leave);
        } else if (message instanceof ServerMessage.Unsubscribed push && push.id() == null) {
            subscriptions.onUnsubscribed(c, push);
        } else if (message instanceof ServerMessage.Disconnect disconnect) {
            c.disconnect = disconnect; // the close that follows ends the connection with its code
        } else {
            Long id = Requests.replyId(message);
            if (id == null || !c.requests.answer(id, message)) {
                LOG.log(System.Logger.Level.DEBUG, "Ignored a message no command waits for: {0}", message);
            }
        }
    }

    void onSocketClosed(Connection c, int code, String reason) {
        ServerMessage.Disconnect d = c.disconnect;
        end(c, d != null ? Ending.disconnected(d) : Ending.closed(code, reason));
    }

    /** The connection (or attempt) {@code c} is over: clean up, then try again later, or stop. */
    private void end(Connection c, Ending why) {
        if (!c.end(new NotConnectedException("The connection to the hub was lost before the reply came (" + why.code()
                + (why.reason() == null ? "" : " " + why.reason()) + ")"))) {
            return;
        }
        current = null;
        clientId = null;
        if (c.ws != null && !c.ws.isClosed()) {
            c.ws.abort();
        }
        subscriptions.onLost();
        retries.onEnded(c.open);
        if (!why.reconnect()) {
            stop(why.code(), why.reason(), why.error());
        } else if (retries.exhausted()) {
            int failed = retries.failedAttempts();
            stop(why.code(), (why.reason() == null ? "" : why.reason() + "; ") + "gave up after " + failed
                    + " failed attempt" + (failed == 1 ? "" : "s"), why.error());
        } else {
            long delay = retries.delayMillis(why.retryAfter());
            states.emit(closedEvent(why.code(), why.reason(), why.error()).withRetryIn(Duration.ofMillis(delay)));
            nextAttempt = loop.schedule(delay, this::startAttempt);
        }
    }

    /** Stops trying, on the hub's word or after too many failures; {@link #start} can begin again. */
    private void stop(int code, String reason, Throwable error) {
        running = false;
        ClientClosedException stopped = new ClientClosedException(code, "The client stopped: " + code
                + (reason == null ? "" : " (" + reason + ")") + "; call connect() to start again");
        outbox.failAll(stopped, false);
        failWaiters(stopped);
        states.emit(closedEvent(code, reason, error));
    }

    /** {@link DuplexClient#close()}: 1000 to the hub, and every call still waiting fails. */
    void close() {
        closed = true;
        running = false;
        Loop.cancel(nextAttempt);
        ClientClosedException why = Errors.clientClosed();
        Connection c = current;
        current = null;
        clientId = null;
        if (c != null && c.end(why)) {
            states.emit(StateEvent.of(ConnectionState.CLOSING, retries.failedAttempts()));
            if (c.ws != null) {
                c.ws.close(1000, "client closed");
            }
        }
        outbox.failAll(why, true);
        failWaiters(why);
        subscriptions.closeAll();
        states.emit(closedEvent(1000, "client closed", null));
    }

    private StateEvent closedEvent(int code, String reason, Throwable error) {
        return StateEvent.of(ConnectionState.CLOSED, retries.failedAttempts()).withCode(code).withReason(reason)
                .withError(error);
    }

    private void failWaiters(ClientClosedException why) {
        for (CompletableFuture<Void> waiter : waiters) {
            callbacks.fail(waiter, why);
        }
        waiters.clear();
    }

    private static void write(WebSocket ws, HubCodec codec, Command command) {
        byte[] bytes = codec.encode(command);
        boolean queued = codec.binary() ? ws.sendBinary(ByteBuffer.wrap(bytes))
                : ws.sendText(new String(bytes, StandardCharsets.UTF_8));
        if (!queued) {
            LOG.log(System.Logger.Level.DEBUG, "A command was not queued (the connection is closing)");
        }
    }
}
