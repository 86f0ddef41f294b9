package dev.duplex.websocket.internal;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.ConnectionListener;
import dev.duplex.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the engine finds in one session's input, passed on to the application's listener: on the
 * loop as views of the read buffer, or as copies when listeners run on an executor. Pings are
 * answered here rather than by the engine, so that while the peer does not read only its latest
 * ping is answered (RFC 6455 §5.5.3), and they are rate-limited.
 *
 * <p>Loop thread only.
 */
final class EngineEvents implements ConnectionListener {
    private final Session session;
    private ByteBuffer pendingPong;
    private long pingWindowStart;
    private int pingsInWindow;

    EngineEvents(Session session) {
        this.session = session;
    }

    @Override
    public void onText(ByteBuffer utf8) {
        String text = StandardCharsets.UTF_8.decode(utf8).toString();
        session.dispatch(() -> session.listener.onText(session, text));
    }

    @Override
    public void onBinary(ByteBuffer data) {
        if (session.listenersOnLoop()) {
            try {
                session.listener.onBinary(session, data); // no lambda: this is the echo's hot path
            } catch (RuntimeException e) {
                session.listenerFailed(e);
            }
        } else {
            ByteBuffer copy = Session.copy(data);
            session.dispatch(() -> session.listener.onBinary(session, copy));
        }
    }

    @Override
    public void onMessagePart(boolean text, ByteBuffer part, boolean last) {
        ByteBuffer view = session.listenersOnLoop() ? part : Session.copy(part);
        session.dispatch(() -> session.listener.onMessagePart(session, text, view, last));
    }

    @Override
    public void onPing(ByteBuffer payload) {
        long now = session.tcp.loop().nanoTime();
        if (now - pingWindowStart > TimeUnit.SECONDS.toNanos(1)) {
            pingWindowStart = now;
            pingsInWindow = 0;
        }
        int maxPings = session.options.maxPingsPerSecond();
        if (++pingsInWindow > maxPings) {
            session.closing.closeLocally(CloseCodes.POLICY_VIOLATION, "More than " + maxPings + " pings per second");
            return;
        }
        if (session.connection.state() == Connection.State.OPEN) {
            if (session.tcp.bufferedBytes() == 0) {
                ByteOutput out = session.output();
                try {
                    session.connection.sendPong(payload, out);
                } finally {
                    session.written(out);
                }
            } else {
                // The peer is not reading: remember only the latest ping (RFC 6455 §5.5.3).
                ByteBuffer buffer = pendingPong == null ? ByteBuffer.allocate(125) : pendingPong.clear();
                pendingPong = buffer.put(payload.duplicate());
            }
        }
        ByteBuffer copy = Session.copy(payload);
        session.dispatch(() -> session.listener.onPing(session, copy));
    }

    /** Answers the latest unanswered ping once the send queue has drained. */
    void sendPendingPong() {
        if (pendingPong != null && session.tcp.bufferedBytes() == 0
                && session.connection.state() == Connection.State.OPEN) {
            ByteOutput out = session.output();
            try {
                session.connection.sendPong(pendingPong.flip(), out);
            } finally {
                session.written(out);
            }
            pendingPong = null;
        }
    }

    @Override
    public void onPong(ByteBuffer payload) {
        ByteBuffer copy = Session.copy(payload);
        session.dispatch(() -> session.listener.onPong(session, copy));
    }

    @Override
    public void onCloseReceived(int code, String reason) {
        session.closing.setClose(code, reason, false);
        session.closeStarted();
    }

    @Override
    public void onProtocolError(ProtocolException error) {
        session.closing.setClose(error.closeCode(), error.getMessage(), true);
        session.closeStarted();
        Session.LOG.log(System.Logger.Level.DEBUG, "Failing {0}: {1}", session.tcp.remoteAddress(), error.getMessage());
        session.dispatch(() -> session.listener.onError(session, error));
    }
}
