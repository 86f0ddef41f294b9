package dev.duplex.websocket.internal;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Connection;
import dev.duplex.transport.ConnectionHandler;
import dev.duplex.transport.TcpConnection;
import dev.duplex.websocket.WebSocketListener;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the transport reports about one session's TCP connection, and the one deadline the
 * transport keeps for it. The deadline serves, by the session's state, the handshake timeout
 * (HANDSHAKE), the heartbeat (OPEN: idle timeout, ping interval, pong timeout) and the close
 * timeout (REFUSED, CLOSING, LINGERING).
 *
 * <p>Loop thread only.
 */
final class TransportEvents implements ConnectionHandler {
    private final Session session;
    /** Reading stopped because the send queue passed the transport's high watermark. */
    private boolean readPaused;
    private long lastReadNanos;
    /** A heartbeat ping is out and its pong timeout runs. */
    private boolean pingOutstanding;
    private long pingSentNanos;

    TransportEvents(Session session) {
        this.session = session;
    }

    @Override
    public void onOpen(TcpConnection connection) {
        session.tcp = connection;
        session.buffers = session.host.buffers(connection.loop());
        arm(session.options.handshakeTimeout().toNanos());
        session.handshake.onOpen(session);
    }

    @Override
    public void onData(TcpConnection tcp, ByteBuffer data) {
        HandshakeStage handshake = session.handshake;
        if (handshake != null) {
            handshake.onData(session, data);
            if (session.handshake != null || !data.hasRemaining()) {
                data.position(data.limit());
                return;
            }
        }
        Connection engine = session.connection;
        if (engine == null) {
            data.position(data.limit()); // a refused handshake: nothing after it is processed
            return;
        }
        lastReadNanos = tcp.loop().nanoTime();
        // One output for the whole batch, so the replies to it (echoes, pongs) leave in one write.
        ByteOutput out = session.buffers.acquire();
        session.beginBatch(out);
        try {
            engine.receive(data, out, session.engineEvents);
        } finally {
            session.endBatch();
            session.writeOut(out);
            session.buffers.release(out);
        }
        long maxQueued = session.options.maxQueuedBytes();
        if (tcp.bufferedBytes() > maxQueued && engine.state() == Connection.State.OPEN) {
            // Replies the engine queued by itself (pongs, echoes) count against the same bound.
            session.closing.closeSlowConsumer();
        }
        if (!readPaused && !tcp.isWritable()) {
            // What we read produced more than the peer is taking (an echo to a peer that does not
            // read): read no more until it drained, so TCP flow control pushes back on the peer
            // instead of our queue growing. onWritable resumes.
            readPaused = true;
            tcp.setReadInterest(false);
        }
        session.engineEvents.sendPendingPong();
        session.closing.afterEngineStep();
    }

    @Override
    public void onWritable(TcpConnection tcp) {
        if (readPaused) {
            readPaused = false;
            tcp.setReadInterest(true);
        }
        session.engineEvents.sendPendingPong();
        if (session.state() == SessionState.OPEN) {
            session.dispatch(() -> session.listener.onWritable(session));
        }
    }

    @Override
    public void onEndOfInput(TcpConnection tcp) {
        Connection engine = session.connection;
        if (engine == null && (session.handshake == null || session.handshake.answerPending(session))) {
            // An answer to the request is being written (after a refusal) or prepared (plain HTTP):
            // the transport closes once our FIN is out; the close timeout bounds the flush.
            return;
        }
        if (engine != null && !engine.receiveEof()) {
            session.closing.setClose(CloseCodes.ABNORMAL, "Connection dropped without a close handshake", false);
        }
        tcp.close();
    }

    @Override
    public void onClosed(TcpConnection tcp, Throwable cause) {
        session.tcpClosed();
        Connection engine = session.connection;
        if (engine != null) {
            engine.release(); // zlib state ends now, not when the GC finds it
        }
        HandshakeStage handshake = session.handshake;
        if (handshake != null) {
            handshake.onClosed(session, cause);
            session.handshake = null;
        }
        if (cause != null && engine != null && engine.state() != Connection.State.CLOSED) {
            session.closing.setClose(CloseCodes.ABNORMAL, "Connection lost: " + cause.getMessage(), false);
            WebSocketListener l = session.listener;
            if (l != null) {
                session.dispatch(() -> l.onError(session, cause));
            }
        }
        session.closing.reportClose();
        session.host.onSessionClosed(session);
    }

    @Override
    public void onDeadline(TcpConnection tcp) {
        switch (session.state()) {
            case HANDSHAKE -> {
                if (session.handshake != null) {
                    session.handshake.onTimeout(session);
                }
            }
            case OPEN -> heartbeat(tcp.loop().nanoTime());
            case REFUSED, CLOSING, LINGERING -> session.closing.onCloseTimeout();
            case CLOSED -> {
            }
        }
    }

    // ------------------------------------------------------------ timers

    /** The connection opened: the heartbeat starts, measured from now. */
    void startHeartbeat() {
        lastReadNanos = session.tcp.loop().nanoTime();
        armHeartbeat(lastReadNanos);
    }

    void armCloseTimeout() {
        arm(session.options.closeTimeout().toNanos());
    }

    /** Idle timeout, ping interval and pong timeout, all measured from the last byte received. */
    private void heartbeat(long now) {
        if (pingOutstanding) {
            pingOutstanding = false;
            if (lastReadNanos - pingSentNanos <= 0) {
                session.closing.fail(new TimeoutException("Sent a ping but received nothing within "
                        + session.options.pongTimeout().toMillis() + " ms: the peer is gone"));
                return;
            }
        }
        long idle = now - lastReadNanos;
        long idleTimeout = session.options.idleTimeout().toNanos();
        long pingInterval = session.options.pingInterval().toNanos();
        if (idleTimeout > 0 && idle >= idleTimeout) {
            session.closing.closeLocally(CloseCodes.GOING_AWAY,
                    "Idle for more than " + session.options.idleTimeout().toMillis() + " ms");
            return;
        }
        if (pingInterval > 0 && idle >= pingInterval) {
            pingSentNanos = now;
            pingOutstanding = true;
            ByteOutput out = session.output();
            try {
                session.connection.sendPing(ByteBuffer.allocate(8).putLong(0, now), out);
            } finally {
                session.written(out);
            }
            arm(session.options.pongTimeout().toNanos());
            return;
        }
        armHeartbeat(now);
    }

    private void armHeartbeat(long now) {
        long idleTimeout = session.options.idleTimeout().toNanos();
        long pingInterval = session.options.pingInterval().toNanos();
        long next = Long.MAX_VALUE;
        if (idleTimeout > 0) {
            next = Math.min(next, lastReadNanos + idleTimeout - now);
        }
        if (pingInterval > 0) {
            next = Math.min(next, lastReadNanos + pingInterval - now);
        }
        arm(next == Long.MAX_VALUE ? 0 : Math.max(next, TimeUnit.MILLISECONDS.toNanos(1)));
    }

    /** Sets the connection's deadline {@code nanos} from now; 0 disarms it. */
    private void arm(long nanos) {
        session.tcp.setDeadline(nanos, TimeUnit.NANOSECONDS);
    }
}
