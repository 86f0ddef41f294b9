package dev.duplex.websocket.internal;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.PreparedFrame;
import dev.duplex.protocol.frame.FrameBits;
import dev.duplex.transport.TcpConnection;
import dev.duplex.websocket.PreparedMessage;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * The sending side of one {@link Session}: a send made on the connection's event loop runs at
 * once, into an output the session owns for the call; a send from another thread is copied (unless
 * immutable) and joins the {@link HandOffQueue}, which the loop runs in call order. A send on the
 * loop runs the queue first, so no send overtakes one made before it; inside a queued task (see
 * {@link Session#execute}) a send is at the task's place in the queue and does not run it again.
 * Each send checks the connection's send-queue bound, closing a slow consumer with 1008.
 *
 * <p>Thread safe: any thread may send; the engine is called only on the loop.
 */
final class Sender {
    private final Session session;
    /** Created on the first send from another thread, so sessions written only on their loop never pay for it. */
    private volatile HandOffQueue handOffs;
    private static final AtomicReferenceFieldUpdater<Sender, HandOffQueue> HAND_OFFS =
            AtomicReferenceFieldUpdater.newUpdater(Sender.class, HandOffQueue.class, "handOffs");

    Sender(Session session) {
        this.session = session;
    }


    boolean sendText(CharSequence text, boolean mayCompress) {
        if (!sendsInline()) {
            String snapshot = text.toString();
            return handOff(snapshot.length(), () -> sendTextNow(snapshot, mayCompress));
        }
        return sendTextNow(text, mayCompress);
    }

    private boolean sendTextNow(CharSequence text, boolean mayCompress) {
        if (!canSend(text.length())) {
            return false;
        }
        ByteOutput out = session.output();
        try {
            session.connection.sendText(text, mayCompress, out);
        } finally {
            session.written(out);
        }
        return true;
    }

    boolean sendBinary(ByteBuffer data, boolean mayCompress) {
        if (!sendsInline()) {
            ByteBuffer snapshot = Session.copy(data);
            return handOff(snapshot.remaining(), () -> sendBinaryNow(snapshot, mayCompress));
        }
        return sendBinaryNow(data, mayCompress);
    }

    private boolean sendBinaryNow(ByteBuffer data, boolean mayCompress) {
        if (!canSend(data.remaining())) {
            return false;
        }
        ByteOutput out = session.output();
        try {
            session.connection.sendBinary(data, mayCompress, out);
        } finally {
            session.written(out);
        }
        return true;
    }

    boolean sendPrepared(PreparedMessage message) {
        PreparedFrame frame = Prepared.frameOf(message);
        if (!sendsInline()) {
            return handOff(frame.payloadLength(), () -> sendPreparedNow(frame)); // immutable: no copy
        }
        return sendPreparedNow(frame);
    }

    private boolean sendPreparedNow(PreparedFrame frame) {
        if (!canSend(frame.payloadLength())) {
            return false;
        }
        ByteOutput out = session.output();
        try {
            session.connection.sendPrepared(frame, out);
        } finally {
            session.written(out);
        }
        return true;
    }

    boolean sendPart(boolean text, ByteBuffer part, boolean last) {
        if (!sendsInline()) {
            ByteBuffer snapshot = Session.copy(part);
            return handOff(snapshot.remaining(), () -> sendPartNow(text, snapshot, last));
        }
        return sendPartNow(text, part, last);
    }

    private boolean sendPartNow(boolean text, ByteBuffer part, boolean last) {
        if (!canSend(part.remaining())) {
            return false;
        }
        ByteOutput out = session.output();
        try {
            session.connection.sendPart(text, part, last, out);
        } finally {
            session.written(out);
        }
        return true;
    }

    boolean ping(ByteBuffer payload) {
        FrameBits.checkControlPayload("Ping", payload.remaining());
        if (!sendsInline()) {
            ByteBuffer snapshot = Session.copy(payload);
            return handOff(snapshot.remaining(), () -> pingNow(snapshot));
        }
        return pingNow(payload);
    }

    private boolean pingNow(ByteBuffer payload) {
        if (!canSend(payload.remaining())) {
            return false;
        }
        ByteOutput out = session.output();
        try {
            session.connection.sendPing(payload, out);
        } finally {
            session.written(out);
        }
        return true;
    }

    /** Whether a send of {@code bytes} may go now; closes a slow consumer (1008) when it may not. */
    private boolean canSend(long bytes) {
        if (session.connection == null || session.connection.state() != Connection.State.OPEN) {
            return false;
        }
        if (session.tcp.bufferedBytes() + bytes > session.options.maxQueuedBytes()) {
            if (bytes > session.options.maxQueuedBytes()) {
                // Not the peer's fault: this message can never fit. Said where the sender will look.
                Session.LOG.log(System.Logger.Level.WARNING, "A message of {0} bytes is larger than the send queue ({1} bytes, "
                        + "WebSocketOptions.maxQueuedBytes); raise it to send such messages", bytes, session.options.maxQueuedBytes());
            }
            Session.LOG.log(System.Logger.Level.DEBUG, "Closing slow consumer {0}", session.tcp.remoteAddress());
            session.closing.closeSlowConsumer();
            return false;
        }
        return true;
    }

    void close(int code, String reason) {
        CloseCodes.checkCode(code);
        CloseCodes.checkReason(reason);
        if (!sendsInline()) {
            // After the sends handed off before it: through the same queue.
            handOffOrRun(() -> session.closing.closeLocally(code, reason));
            return;
        }
        session.closing.closeLocally(code, reason);
    }

    void abort() {
        if (!onLoop()) {
            runOnLoop(session::abort);
            return;
        }
        if (session.tcp != null) {
            session.tcp.close();
        }
    }

    // ------------------------------------------------------------ hand-off to the loop

    private boolean onLoop() {
        return session.tcp != null && session.tcp.loop().inEventLoop();
    }

    /**
     * A send runs at once only on the loop and only when no send from another thread is still
     * waiting for the loop: otherwise it would overtake it, and messages of one connection must
     * leave in the order they were sent. Inside a task the queue is running (a task given to
     * {@code execute}), a send is at the task's place in the queue: what follows in it was handed
     * over after the task.
     */
    boolean sendsInline() {
        if (!onLoop()) {
            return false;
        }
        HandOffQueue queue = handOffs;
        if (queue != null && queue.mustRunFirst()) {
            queue.run(); // the earlier sends first
        }
        return true;
    }

    /** Sends from another thread: counted in bufferedAmount until the loop has run them. */
    private boolean handOff(long bytes, Runnable send) {
        if (session.state() != SessionState.OPEN || session.tcp == null) {
            return false;
        }
        HandOffQueue queue = handOffs;
        if (queue == null) {
            HAND_OFFS.compareAndSet(this, null, new HandOffQueue());
            queue = handOffs;
        }
        if (queue.add(bytes, send) && !Fanout.defer(session, session.tcp.loop())) {
            session.tcp.loop().execute(this::runHandedOff);
        }
        return true;
    }

    /** Queues a task behind the handed-off sends, or runs it on the loop if the connection is not open. */
    void handOffOrRun(Runnable task) {
        if (!handOff(0, task)) {
            runOnLoop(task);
        }
    }

    /** On the loop: runs the handed-off sends and tasks in call order. */
    void runHandedOff() {
        HandOffQueue queue = handOffs;
        if (queue != null) {
            queue.run();
        }
    }

    /** Runs {@code task} on this connection's loop (queued, even when called there). */
    void runOnLoop(Runnable task) {
        TcpConnection t = session.tcp;
        if (t != null) {
            try {
                t.loop().execute(task);
            } catch (RejectedExecutionException stopped) {
                // the loop stopped with its server or client: nothing is left to run it for
            }
        }
    }

    /** Bytes of sends handed off by other threads and not yet run. */
    long handedOffBytes() {
        HandOffQueue queue = handOffs;
        return queue == null ? 0 : queue.bytes();
    }
}
