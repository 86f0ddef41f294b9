package dev.duplex.loadgen;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.ConnectionListener;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HandshakeRejection;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpLimits;
import dev.duplex.transport.ConnectionHandler;
import dev.duplex.transport.TcpClient;
import dev.duplex.transport.TcpConnection;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One client WebSocket of the load generator: the transport's {@link ConnectionHandler} and the
 * engine's {@link ConnectionListener} at once, with the opening handshake done by hand
 * ({@link ClientHandshake} and {@link HttpHeadParser}) and then the sans-IO {@link Connection} in
 * the client role. Everything runs on the connection's loop thread.
 *
 * <p>Messages arrive as parts (the engine streams every message, see {@link LoadRun#limits}), so
 * nothing is assembled or copied: the first 16 bytes of each message are kept in a preallocated
 * array and {@link #onMessage} is called when it ends.
 */
abstract class LoadConnection implements ConnectionHandler, ConnectionListener {
    private static final int HEAD_BYTES = 16;

    final LoadRun run;
    final LoopContext ctx;
    /** When the connection was meant to start (its place in the connect schedule). */
    final long startNanos;
    TcpConnection tcp;
    Connection engine;
    /** Raw TCP mode only: reads our own masked frames as a bare echo returns them. */
    private Connection echoReader;
    private ClientHandshake handshake;
    private HttpHeadParser head;
    private boolean closing;
    private boolean failed;
    private final byte[] messageHead = new byte[HEAD_BYTES];
    private int messageHeadLength;
    private long messageLength;
    /**
     * Set by scenarios that read more than the first 16 bytes (the hub's JSON): the first
     * {@code body.length} bytes of each message are copied here, and {@link #bodyLength} says how
     * many, valid during {@link #onMessage}. Null: only the head is kept.
     */
    byte[] body;
    int bodyLength;
    /** The server this connection opens to: the run's, unless a scenario spreads over several (set before connect). */
    Target target;

    LoadConnection(LoadRun run, LoopContext ctx, long startNanos) {
        this.run = run;
        this.ctx = ctx;
        this.startNanos = startNanos;
        this.target = run.target;
    }

    /** Starts connecting from {@code local} (null: the OS chooses). Safe from any thread. */
    final void connect(InetSocketAddress local) {
        run.attempted.incrementAndGet();
        TcpClient.connect(ctx.loop, target.address(), local, run.transport, null, this)
                .whenComplete((connection, error) -> {
                    if (error != null) {
                        if (!run.stopping) {
                            run.errors.record(Errors.kindOf(error), error);
                        }
                        run.settle(false);
                    }
                });
    }

    // ---- hooks

    /** The WebSocket is open; {@code now} is {@link System#nanoTime()}. */
    void onHandshake(long now) {
    }

    /**
     * A whole message arrived: {@code head} holds its first {@code headLength} bytes (up to 16),
     * valid only during the call.
     */
    abstract void onMessage(boolean text, byte[] head, int headLength, long length);

    /** The connection closed, for whatever reason. */
    void onConnectionClosed() {
    }

    // ---- sending

    final boolean isOpen() {
        return engine != null && !closing && !failed && engine.state() == Connection.State.OPEN && tcp.isOpen();
    }

    /** Sends {@code payload}'s remaining bytes as one message; the payload is not modified. */
    final void send(ByteBuffer payload, boolean text) {
        if (text) {
            engine.sendTextUtf8(payload, ctx.out);
        } else {
            engine.sendBinary(payload, ctx.out);
        }
        flush();
    }

    final void flush() {
        ByteOutput out = ctx.out;
        if (!out.isEmpty()) {
            tcp.write(out.flip());
            out.clear();
        }
    }

    /**
     * The scenario already counted why this connection ends (the hub said {@code disconnect} before
     * closing it): the close that follows is not counted again. Loop thread.
     */
    final void markFailed() {
        failed = true;
    }

    /** Starts the close handshake (1000), or closes at once if the WebSocket is not open. Loop thread. */
    final void closeGracefully() {
        closing = true;
        if (tcp == null || !tcp.isOpen()) {
            return;
        }
        if (echoReader != null) {
            tcp.close(); // a bare TCP echo has no close handshake
        } else if (engine != null && engine.state() == Connection.State.OPEN) {
            engine.sendClose(1000, "benchmark done", ctx.out);
            flush();
            tcp.setDeadline(2, TimeUnit.SECONDS);
        } else {
            tcp.close();
        }
    }

    // ---- transport

    @Override
    public final void onOpen(TcpConnection connection) {
        this.tcp = connection;
        ctx.tcpOpen++;
        ctx.connections.add(this);
        if (run.stopping) {
            closing = true;
            connection.close();
            return;
        }
        if (run.rawTcp) {
            engine = new Connection(Role.CLIENT, run.limits, ctx.mask);
            echoReader = new Connection(Role.SERVER, run.limits, null);
            opened();
            return;
        }
        handshake = new ClientHandshake(target.uri(), run.subprotocols, List.of(), List.of(), ctx.mask);
        head = new HttpHeadParser(HttpLimits.defaults());
        connection.setDeadline(run.handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        connection.write(ByteBuffer.wrap(handshake.requestBytes()));
    }

    @Override
    public final void onData(TcpConnection connection, ByteBuffer data) {
        if (engine == null) {
            if (failed || closing) {
                data.position(data.limit());
                return;
            }
            try {
                if (!head.feed(data)) {
                    return;
                }
                ClientHandshake.Agreed agreed = handshake.validate(head.response());
                if (!run.subprotocols.isEmpty() && agreed.subprotocol() == null) {
                    failHandshake("handshake_no_subprotocol", "The server selected none of the subprotocols offered: "
                            + String.join(", ", run.subprotocols));
                    data.position(data.limit());
                    return;
                }
            } catch (HandshakeException e) {
                failHandshake(e.status() == 101 ? "handshake_invalid_101" : "handshake_http_" + e.status(), e);
                data.position(data.limit());
                return;
            } catch (HandshakeRejection e) {
                failHandshake("handshake_malformed_response", e);
                data.position(data.limit());
                return;
            }
            handshake = null;
            head = null;
            engine = new Connection(Role.CLIENT, run.limits, ctx.mask);
            connection.setDeadline(0, TimeUnit.MILLISECONDS);
            opened();
            if (!data.hasRemaining()) {
                return;
            }
        }
        if (echoReader != null) {
            echoReader.receive(data, ctx.out, this);
            return;
        }
        engine.receive(data, ctx.out, this);
        flush();
        if (engine.state() == Connection.State.CLOSED) {
            connection.closeAfterFlush();
        }
    }

    private void opened() {
        long now = System.nanoTime();
        ctx.open++;
        ctx.opened++;
        ctx.lastHandshakeNanos = now;
        run.settle(true);
        onHandshake(now);
    }

    private void failHandshake(String kind, Object e) {
        failed = true;
        if (!run.stopping) {
            run.errors.record(kind, e);
        }
        run.settle(false);
        tcp.close();
    }

    @Override
    public final void onDeadline(TcpConnection connection) {
        if (engine == null && !closing) {
            failHandshake("handshake_timeout", new TimeoutException("No handshake response within "
                    + run.handshakeTimeoutMillis + " ms"));
        } else {
            connection.close(); // our Close went unanswered: give up on the close handshake
        }
    }

    @Override
    public final void onClosed(TcpConnection connection, Throwable cause) {
        ctx.tcpOpen--;
        boolean expected = closing || failed || run.stopping;
        if (engine == null) {
            if (!expected) {
                run.errors.record("closed_during_handshake", cause != null ? cause
                        : "The server closed the connection before answering the handshake");
                run.settle(false);
            } else if (closing && !failed) {
                run.settle(false);
            }
        } else {
            ctx.open--;
            if (!expected) {
                run.errors.record("connection_lost", cause != null ? cause
                        : "The server closed the TCP connection without a WebSocket Close");
            }
            engine.receiveEof();
            engine.release();
        }
        onConnectionClosed();
    }

    // ---- engine

    @Override
    public final void onMessagePart(boolean text, ByteBuffer part, boolean last) {
        int n = part.remaining();
        if (messageHeadLength < HEAD_BYTES && n > 0) {
            int take = Math.min(HEAD_BYTES - messageHeadLength, n);
            part.get(part.position(), messageHead, messageHeadLength, take);
            messageHeadLength += take;
        }
        byte[] b = body;
        if (b != null && bodyLength < b.length && n > 0) {
            int take = Math.min(b.length - bodyLength, n);
            part.get(part.position(), b, bodyLength, take);
            bodyLength += take;
        }
        messageLength += n;
        if (last) {
            int headLength = messageHeadLength;
            long length = messageLength;
            messageHeadLength = 0;
            messageLength = 0;
            try {
                onMessage(text, messageHead, headLength, length);
            } finally {
                bodyLength = 0;
            }
        }
    }

    @Override
    public final void onBinary(ByteBuffer data) {
        onMessagePart(false, data, true);
    }

    @Override
    public final void onText(ByteBuffer utf8) {
        onMessagePart(true, utf8, true);
    }

    @Override
    public final void onCloseReceived(int code, String reason) {
        if (!closing && !failed && !run.stopping) {
            failed = true;
            run.errors.record("closed_by_server_" + code, reason == null || reason.isEmpty() ? null : reason);
        }
    }

    @Override
    public final void onProtocolError(ProtocolException error) {
        if (!failed) {
            failed = true;
            run.errors.record("protocol_error", error);
        }
    }
}
