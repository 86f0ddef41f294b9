package dev.duplex.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

/**
 * The TLS state of one {@link TcpConnection}: its {@link SSLEngine} and, between two reads, the
 * ciphertext of a record that has not fully arrived. Ciphertext flows through the connection's
 * socket and write queue; plaintext through the loop's {@link TlsBuffers}, so the layer holds no
 * packet-sized buffers of its own.
 *
 * <p>Delegated tasks (certificate checks, key exchange) run inline on the loop: they take
 * milliseconds, happen once per handshake, and running them elsewhere would add a thread hop and a
 * state to every handshake for little gain on a loop that also serves plaintext.
 *
 * <p>Not thread-safe: used only on its connection's loop thread.
 */
final class TlsLayer {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Wraps of a close_notify before giving up; it is one record, so one or two suffice. */
    private static final int MAX_CLOSE_WRAPS = 4;

    private final TcpConnection connection;
    private final TlsConfig config;
    /** A server's handler factory, called only once the handshake succeeded; null on clients and afterwards. */
    private Supplier<ConnectionHandler> handlerFactory;
    private SSLEngine engine;
    /** Ciphertext of an incomplete record, kept only until the rest arrives. */
    private ByteBuffer stash;
    private boolean closeNotifyReceived;
    private boolean closeNotifySent;

    TlsLayer(TcpConnection connection, TlsConfig config, Supplier<ConnectionHandler> handlerFactory) {
        this.connection = connection;
        this.config = config;
        this.handlerFactory = handlerFactory;
    }

    /** Creates the engine and starts the handshake (the client's hello goes out). False if the connection closed. */
    boolean start(int peerPort) {
        try {
            engine = config.newEngine(peerPort);
            engine.beginHandshake();
        } catch (SSLException | RuntimeException e) {
            connection.tlsFailed(e);
            return false;
        }
        return drive(engine.getHandshakeStatus());
    }

    /** Takes the deferred handler factory, once. */
    Supplier<ConnectionHandler> takeHandlerFactory() {
        Supplier<ConnectionHandler> f = handlerFactory;
        handlerFactory = null;
        return f;
    }

    SSLSession session() {
        return engine == null ? null : engine.getSession();
    }

    boolean closeNotifyQueued() {
        return closeNotifySent;
    }

    boolean closeNotifyReceived() {
        return closeNotifyReceived;
    }

    /** Bytes a read buffer needs so that a whole record fits after the stash. */
    int readBufferBytes(int configured) {
        return Math.max(configured, engine.getSession().getPacketBufferSize());
    }

    boolean hasStash() {
        return stash != null;
    }

    /** Moves the stashed ciphertext to the start of {@code dst} (in write mode). */
    void unstashInto(ByteBuffer dst) {
        if (stash != null) {
            dst.put(stash);
            stash = null;
        }
    }

    /**
     * Decrypts {@code net} (flipped) record by record, handing plaintext to the connection, driving
     * any handshake messages (the initial handshake, TLS 1.3 KeyUpdate and NewSessionTicket, TLS
     * 1.2 renegotiation), and stashing an incomplete record for the next read. Stops when the
     * connection pauses reading, ends input or closes.
     */
    void unwrap(ByteBuffer net) {
        TlsBuffers buffers = connection.loop().tlsBuffers();
        while (true) {
            if (!connection.in().wantsInput()) {
                keep(net); // paused: the rest waits here, as unread bytes would wait in the socket
                return;
            }
            if (!net.hasRemaining()) {
                return;
            }
            ByteBuffer app = buffers.appIn(engine.getSession().getApplicationBufferSize());
            SSLEngineResult result;
            try {
                result = engine.unwrap(net, app);
            } catch (SSLException | RuntimeException e) {
                connection.tlsFailed(e);
                return;
            }
            switch (result.getStatus()) {
                case BUFFER_UNDERFLOW -> {
                    keep(net); // wait for the rest of the record; no spinning on a partial one
                    return;
                }
                case BUFFER_OVERFLOW -> {
                    buffers.growAppIn(engine.getSession().getApplicationBufferSize());
                    continue;
                }
                case CLOSED -> {
                    closeNotifyReceived = true;
                    if (connection.tlsHandshaking()) {
                        connection.tlsFailed(new SSLHandshakeException(
                                "The peer closed TLS (close_notify) before the handshake completed"));
                        return;
                    }
                    // TLS 1.2 answers close_notify with its own (NEED_WRAP); TLS 1.3 may half-close.
                    if (drive(result.getHandshakeStatus())) {
                        connection.in().closeNotifyReceived();
                    }
                    return;
                }
                case OK -> {
                }
            }
            if (app.position() > 0) {
                app.flip();
                if (!connection.in().deliver(app)) {
                    if (connection.in().wantsInput() || !connection.isOpen()) {
                        return;
                    }
                    continue; // paused inside onData: stash the rest on the next round
                }
            }
            if (!drive(result.getHandshakeStatus())) {
                return;
            }
            if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                keep(net); // defensive: an engine that takes nothing now needs more input
                return;
            }
        }
    }

    /**
     * Encrypts every remaining byte of {@code srcs[offset, offset + length)} and writes or queues the
     * ciphertext, several records per socket write.
     *
     * @return false, consuming nothing, if the TLS output is already closed; false also if the
     *     connection failed (and was closed) while writing
     */
    boolean wrap(ByteBuffer[] srcs, int offset, int length) {
        if (engine.isOutboundDone()) {
            return false;
        }
        TlsBuffers buffers = connection.loop().tlsBuffers();
        while (hasRemaining(srcs, offset, length)) {
            int packet = engine.getSession().getPacketBufferSize();
            ByteBuffer out = buffers.netOut(packet * TlsBuffers.RECORDS_PER_WRITE);
            while (out.remaining() >= packet && hasRemaining(srcs, offset, length)) {
                SSLEngineResult result;
                try {
                    result = engine.wrap(srcs, offset, length, out);
                } catch (SSLException | RuntimeException e) {
                    connection.tlsFailed(e);
                    return false;
                }
                if (result.getStatus() == Status.BUFFER_OVERFLOW) {
                    if (out.position() == 0) {
                        out = buffers.growNetOut(packet * 2);
                        continue;
                    }
                    break;
                }
                if (result.getStatus() == Status.CLOSED || (result.bytesConsumed() == 0 && result.bytesProduced() == 0)) {
                    out.flip();
                    if (out.hasRemaining()) {
                        connection.writeCipher(out);
                    }
                    connection.tlsFailed(new SSLException("The TLS engine stopped accepting application data ("
                            + result + "); closing the connection"));
                    return false;
                }
                if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                    runDelegatedTasks();
                }
            }
            out.flip();
            if (out.hasRemaining() && !connection.writeCipher(out)) {
                return false;
            }
        }
        HandshakeStatus status = engine.getHandshakeStatus();
        return status == HandshakeStatus.NOT_HANDSHAKING || drive(status);
    }

    /** Queues a close_notify behind the queued ciphertext (a graceful half-close). False if the connection closed. */
    boolean queueCloseNotify() {
        if (closeNotifySent || engine == null) {
            return true;
        }
        closeNotifySent = true;
        engine.closeOutbound();
        return drive(engine.getHandshakeStatus());
    }

    /**
     * The connection is closing now: sends close_notify (or the alert of a failed handshake) with
     * one non-blocking write, without waiting. Only called with an empty write queue, so the record
     * cannot land in the middle of another.
     */
    void closeNow(SocketChannel channel) {
        if (engine == null || closeNotifySent) {
            return;
        }
        closeNotifySent = true;
        engine.closeOutbound();
        ByteBuffer out = connection.loop().tlsBuffers().netOut(engine.getSession().getPacketBufferSize());
        try {
            for (int i = 0; i < MAX_CLOSE_WRAPS && out.remaining() > 0; i++) {
                SSLEngineResult result = engine.wrap(EMPTY, out);
                if (result.bytesProduced() == 0) {
                    break;
                }
            }
            out.flip();
            if (out.hasRemaining()) {
                channel.write(out);
            }
        } catch (IOException | RuntimeException e) {
            // Best effort: the socket closes next anyway, and the peer sees the end of the stream.
        }
    }

    /**
     * Runs the handshake forward from {@code status}: delegated tasks inline, outgoing handshake
     * records to the socket, and the connection's opening when the initial handshake finishes.
     * Returns at NEED_UNWRAP (the peer's turn) or when nothing is left to do; false if the
     * connection closed on the way.
     */
    private boolean drive(HandshakeStatus status) {
        TlsBuffers buffers = connection.loop().tlsBuffers();
        while (true) {
            switch (status) {
                case NEED_TASK -> {
                    runDelegatedTasks();
                    status = engine.getHandshakeStatus();
                }
                case NEED_WRAP -> {
                    ByteBuffer out = buffers.netOut(engine.getSession().getPacketBufferSize());
                    SSLEngineResult result;
                    try {
                        result = engine.wrap(EMPTY, out);
                    } catch (SSLException | RuntimeException e) {
                        connection.tlsFailed(e);
                        return false;
                    }
                    if (result.getStatus() == Status.BUFFER_OVERFLOW) {
                        buffers.growNetOut(engine.getSession().getPacketBufferSize() * 2);
                        continue;
                    }
                    out.flip();
                    if (out.hasRemaining() && !connection.writeCipher(out)) {
                        return false;
                    }
                    if (engine.isOutboundDone()) {
                        closeNotifySent = true;
                    }
                    status = result.getHandshakeStatus();
                    if (result.bytesProduced() == 0 && status == HandshakeStatus.NEED_WRAP) {
                        return true; // nothing more will come out now; never spin
                    }
                }
                case FINISHED -> {
                    if (!connection.tlsHandshakeFinished()) {
                        return false;
                    }
                    status = engine.getHandshakeStatus(); // e.g. a TLS 1.3 server's NewSessionTicket
                }
                case NOT_HANDSHAKING -> {
                    // FINISHED is reported once, by the call that finished; a status read afterwards
                    // says NOT_HANDSHAKING, which during the initial handshake means the same.
                    return !connection.tlsHandshaking() || connection.tlsHandshakeFinished();
                }
                default -> {
                    return true; // NEED_UNWRAP: the peer's turn
                }
            }
        }
    }

    private void runDelegatedTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private void keep(ByteBuffer net) {
        if (!net.hasRemaining()) {
            stash = null;
            return;
        }
        stash = ByteBuffer.allocate(net.remaining());
        stash.put(net).flip();
    }

    private static boolean hasRemaining(ByteBuffer[] srcs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }
}
