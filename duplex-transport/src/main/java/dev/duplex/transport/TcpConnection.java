package dev.duplex.transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * One TCP connection, owned by one {@link EventLoop}. Every method except {@link #loop()},
 * {@link #remoteAddress()}, {@link #localAddress()}, {@link #bufferedBytes()} and {@link #isOpen()}
 * must be called on {@link #loop()}'s thread and throws {@link IllegalStateException} otherwise;
 * from another thread, submit the call with {@code connection.loop().execute(...)}.
 *
 * <p>An idle connection holds no buffers: reads go through the loop's shared buffer, a write queue
 * exists only while the socket refuses bytes, and the connection is itself the entry of its
 * loop's timer wheel, so its deadline costs no extra object.
 *
 * <p>A connection may carry TLS (see {@link TlsConfig}), transparently to its handler: input is
 * decrypted before {@link ConnectionHandler#onData}, {@link #write} encrypts, {@link
 * ConnectionHandler#onOpen} runs only once the TLS handshake has completed, and the closing methods
 * send close_notify. {@link #bufferedBytes()} then counts queued ciphertext. A plaintext
 * connection carries one null reference for all of this.
 *
 * <p>Not thread-safe, by design: confined to its loop thread, apart from the five methods above.
 */
public final class TcpConnection extends TimerNode {
    private static final System.Logger LOG = System.getLogger(TcpConnection.class.getName());

    // Package-private: Inbound, Outbound and TlsLayer are this connection's parts.
    final EventLoop loop;
    final SocketChannel channel;
    /** Null until the TLS handshake completes on a TLS server connection (its factory runs then). */
    ConnectionHandler handler;
    final TransportOptions options;
    private final TcpServer server;
    /** Null for plaintext, so plaintext connections pay nothing else for TLS. */
    final TlsLayer tls;
    volatile TcpState state = TcpState.CONNECTING;
    private volatile SocketAddress remoteAddress;
    private volatile SocketAddress localAddress;
    private SelectionKey key;
    private final Inbound in;
    private final Outbound out;
    private Object attachment;
    private CompletableFuture<TcpConnection> connectFuture;

    /**
     * @param tlsConfig null for plaintext
     * @param deferredHandler with TLS on a server, the factory that makes the handler once the TLS
     *     handshake has succeeded ({@code handler} is then null), so a peer that never completes
     *     TLS never reaches the layer above
     */
    TcpConnection(EventLoop loop, SocketChannel channel, ConnectionHandler handler, TransportOptions options,
            TcpServer server, SocketAddress expectedRemote, TlsConfig tlsConfig,
            Supplier<ConnectionHandler> deferredHandler) {
        this.loop = loop;
        this.channel = channel;
        this.handler = handler;
        this.options = options;
        this.server = server;
        this.remoteAddress = expectedRemote;
        this.tls = tlsConfig == null ? null : new TlsLayer(this, tlsConfig, deferredHandler);
        this.in = new Inbound(this);
        this.out = new Outbound(channel, loop.chunkPool(), options.writeHighWatermarkBytes());
    }

    /** The loop that owns this connection; safe from any thread. */
    public EventLoop loop() {
        return loop;
    }

    /** The peer's address; safe from any thread. */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** This end's address, or {@code null} before the connection is open; safe from any thread. */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Writes all remaining bytes of {@code src}: straight to the socket when nothing is queued,
     * and whatever the socket does not take is copied into this connection's write queue. {@code
     * src} is fully consumed on return, so the caller may reuse it at once.
     *
     * @return {@code false}, leaving {@code src} untouched, if the connection is closed or its
     *     output is shut down or closing; also {@code false} if the socket write failed, in which
     *     case the connection has been closed and {@link ConnectionHandler#onClosed} called
     */
    public boolean write(ByteBuffer src) {
        loop.requireInLoop("TcpConnection.write");
        if (!acceptsWrites()) {
            return false;
        }
        if (tls != null) {
            ByteBuffer[] one = loop.tlsBuffers().single(src);
            try {
                return tls.wrap(one, 0, 1);
            } finally {
                one[0] = null;
            }
        }
        return writeCipher(src);
    }

    /** Gathering form of {@link #write(ByteBuffer)}, with the same contract for every buffer. */
    public boolean write(ByteBuffer[] srcs) {
        loop.requireInLoop("TcpConnection.write");
        if (!acceptsWrites()) {
            return false;
        }
        if (tls != null) {
            return tls.wrap(srcs, 0, srcs.length);
        }
        try {
            if (out.write(srcs)) {
                updateInterest();
            }
        } catch (IOException e) {
            close(e);
            return false;
        }
        return true;
    }

    /**
     * The TLS session (negotiated protocol, cipher suite, peer certificates), or {@code null} for a
     * plaintext connection.
     */
    public SSLSession tlsSession() {
        loop.requireInLoop("TcpConnection.tlsSession");
        return tls == null ? null : tls.session();
    }

    /** Bytes queued and not yet written to the socket (ciphertext with TLS); exact; safe from any thread. */
    public long bufferedBytes() {
        return out.bufferedBytes();
    }

    /** Whether {@link #bufferedBytes()} is at or below the high watermark. */
    public boolean isWritable() {
        loop.requireInLoop("TcpConnection.isWritable");
        return out.isWritable();
    }

    /**
     * Stops ({@code false}) or resumes ({@code true}) reading, so a slow consumer can push back on
     * the peer through TCP flow control. Data already delivered is not affected.
     */
    public void setReadInterest(boolean on) {
        loop.requireInLoop("TcpConnection.setReadInterest");
        in.readInterest(on);
        updateInterest();
        if (on && tls != null && tls.hasStash()) {
            // Decrypted-but-undelivered input waits in the stash, not in the socket, so no
            // readiness event would bring it: process it from a task (not inside the caller).
            loop.execute(() -> {
                if (in.wantsInput() && tls.hasStash()) {
                    in.read(false);
                }
            });
        }
    }

    /**
     * Arms, or re-arms, this connection's single deadline at {@code loop().nanoTime() + delay}
     * (rounded up to the 10 ms wheel tick); when it passes, {@link ConnectionHandler#onDeadline}
     * is called once. Zero or negative disarms. Allocates nothing.
     */
    public void setDeadline(long delay, TimeUnit unit) {
        loop.requireInLoop("TcpConnection.setDeadline");
        if (state == TcpState.CLOSED) {
            return;
        }
        if (delay <= 0) {
            loop.timers().cancel(this);
        } else {
            long now = loop.nanoTime();
            loop.timers().schedule(this, now + unit.toNanos(delay), now);
        }
    }

    /**
     * Sends FIN (after close_notify, with TLS) once the queue has been flushed; reading continues. Later writes return false. If
     * the peer has already half-closed too, the connection is then closed (orderly).
     */
    public void shutdownOutput() {
        loop.requireInLoop("TcpConnection.shutdownOutput");
        if (state != TcpState.OPEN) {
            return;
        }
        state = state.shutdownRequested();
        if (out.isEmpty()) {
            completeShutdownOutput();
        }
    }

    /**
     * Closes once the queue has been flushed; later writes return false. A peer that never reads
     * keeps the connection open, so pair this with {@link #setDeadline} when that matters.
     */
    public void closeAfterFlush() {
        loop.requireInLoop("TcpConnection.closeAfterFlush");
        if (!state.isOpen() || state == TcpState.FLUSHING_THEN_CLOSE) {
            return;
        }
        if (out.isEmpty()) {
            close(null);
        } else {
            state = state.closeAfterFlush();
        }
    }

    /**
     * Closes now, dropping queued bytes (with TLS and an empty queue, close_notify is attempted with
     * one non-blocking write). Idempotent; {@link ConnectionHandler#onClosed} runs once.
     */
    public void close() {
        loop.requireInLoop("TcpConnection.close");
        close(null);
    }

    /** Whether the connection is open (connected and not yet closed); safe from any thread. */
    public boolean isOpen() {
        return state.isOpen();
    }

    /** The object attached by the layer above, or {@code null}. */
    public Object attachment() {
        loop.requireInLoop("TcpConnection.attachment");
        return attachment;
    }

    /** Attaches one object for the layer above, replacing any previous one. */
    public void attach(Object o) {
        loop.requireInLoop("TcpConnection.attach");
        attachment = o;
    }

    /** Addresses and loop, for logs. */
    @Override
    public String toString() {
        return "TcpConnection[" + localAddress + " -> " + remoteAddress + ", " + loop + "]";
    }

    // ---- loop-side lifecycle ----

    /** Registers an accepted channel with this loop and opens it. Runs on the loop thread. */
    void openAccepted() {
        if (loop.isShuttingDown() || server.isClosed()) {
            close(null);
            return;
        }
        try {
            key = channel.register(loop.selector(), 0, this);
        } catch (IOException | RuntimeException e) {
            close(e);
            return;
        }
        opened();
    }

    /** Starts a non-blocking connect; {@code future} completes after onOpen. Runs on the loop thread. */
    void startConnect(InetSocketAddress remote, CompletableFuture<TcpConnection> future) {
        connectFuture = future;
        if (loop.isShuttingDown()) {
            close(new ConnectException("Event loop " + loop + " shut down before connecting to " + remote));
            return;
        }
        try {
            key = channel.register(loop.selector(), SelectionKey.OP_CONNECT, this);
            if (channel.connect(remote)) {
                opened();
                return;
            }
        } catch (IOException | RuntimeException e) {
            close(e);
            return;
        }
        long now = loop.nanoTime();
        loop.timers().schedule(this, now + options.connectTimeout().toNanos(), now);
    }

    /** Dispatch from the selector. */
    void onSelected(int readyOps) {
        if (state == TcpState.CONNECTING) {
            if ((readyOps & SelectionKey.OP_CONNECT) != 0) {
                finishConnect();
            }
            return;
        }
        // Write first: draining the queue may let the peer, and so our next read, make progress.
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            flush();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0 && (state.isOpen() || state == TcpState.TLS_HANDSHAKE)) {
            in.read(true);
        }
    }

    @Override
    void onTimer() {
        if (state == TcpState.CONNECTING) {
            close(new SocketTimeoutException("Connecting to " + remoteAddress + " timed out after "
                    + options.connectTimeout().toMillis() + " ms; check that the peer is reachable "
                    + "or raise TransportOptions.connectTimeout"));
        } else if (state == TcpState.TLS_HANDSHAKE) {
            close(new SocketTimeoutException("The TLS handshake with " + remoteAddress + " did not complete within "
                    + options.tlsHandshakeTimeout().toMillis() + " ms; is the peer speaking TLS? (raise "
                    + "TransportOptions.tlsHandshakeTimeout for very slow peers)"));
        } else if (state.isOpen()) {
            try {
                handler.onDeadline(this);
            } catch (Throwable t) {
                handlerFailed("onDeadline", t);
            }
        }
    }

    TcpServer server() {
        return server;
    }

    /** The loop or the server is shutting down: close without blaming anyone. */
    void closeOnShutdown() {
        close(state == TcpState.CONNECTING || state == TcpState.TLS_HANDSHAKE
                ? new ConnectException("Event loop " + loop + " shut down before the connection to "
                        + remoteAddress + " was established")
                : null);
    }

    private void finishConnect() {
        try {
            if (!channel.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            close(e);
            return;
        }
        loop.timers().cancel(this);
        opened();
    }

    private void opened() {
        try {
            remoteAddress = channel.getRemoteAddress();
            localAddress = channel.getLocalAddress();
        } catch (IOException e) {
            close(e);
            return;
        }
        if (tls != null) {
            state = state.tlsStarted();
            updateInterest();
            long now = loop.nanoTime();
            loop.timers().schedule(this, now + options.tlsHandshakeTimeout().toNanos(), now);
            InetSocketAddress peer = (InetSocketAddress) remoteAddress;
            tls.start(peer.getPort());
            return;
        }
        established();
    }

    /** TCP (and TLS, if any) is up: the handler takes over. */
    private void established() {
        if (tls != null) {
            loop.timers().cancel(this); // the TLS handshake timeout; the handler arms its own deadlines
            if (handler == null) {
                try {
                    handler = Objects.requireNonNull(tls.takeHandlerFactory().get(),
                            "the handler factory returned null");
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Dropping a TLS connection from " + remoteAddress + ": " + e.getMessage(), e);
                    close(e);
                    return;
                }
            }
        }
        state = state.established();
        updateInterest();
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "Opened " + this);
        }
        CompletableFuture<TcpConnection> future = connectFuture;
        connectFuture = null;
        try {
            handler.onOpen(this);
        } catch (Throwable t) {
            handlerFailed("onOpen", t);
            if (future != null) {
                future.completeExceptionally(t);
            }
            return;
        }
        if (future != null) {
            future.complete(this);
        }
    }

    // ---- TLS layer callbacks ----

    /** The input side, for {@link TlsLayer}: whether it wants input, delivery, close_notify. */
    Inbound in() {
        return in;
    }

    boolean tlsHandshaking() {
        return state == TcpState.TLS_HANDSHAKE;
    }

    /** The initial TLS handshake finished: open. Returns whether the connection is still open. */
    boolean tlsHandshakeFinished() {
        if (state == TcpState.TLS_HANDSHAKE) {
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "TLS established with " + remoteAddress + ": " + tls.session().getProtocol()
                        + " " + tls.session().getCipherSuite());
            }
            established();
        }
        return state.isOpen();
    }

    /** The engine failed (bad certificate, bad record, failed handshake): close with its error. */
    void tlsFailed(Exception e) {
        close(e);
    }

    boolean tlsCloseNotifyReceived() {
        return tls != null && tls.closeNotifyReceived();
    }

    /**
     * Writes ciphertext (or, without TLS, the caller's bytes) to the socket, queueing what it does
     * not take. Returns false if the write failed and the connection was closed.
     */
    boolean writeCipher(ByteBuffer src) {
        try {
            if (out.write(src)) {
                updateInterest();
            }
        } catch (IOException e) {
            close(e);
            return false;
        }
        return true;
    }

    /** The peer's FIN (or close_notify) arrived: the handler is told; with our output shut too, done. */
    void inputEnded() {
        updateInterest();
        try {
            handler.onEndOfInput(this);
        } catch (Throwable t) {
            handlerFailed("onEndOfInput", t);
            return;
        }
        if (state == TcpState.OUTPUT_SHUT) {
            close(null);
        }
    }

    private boolean acceptsWrites() {
        return state.acceptsWrites();
    }

    private void flush() {
        if (out.isEmpty()) {
            updateInterest();
            return;
        }
        try {
            if (!out.flush(loop.gatherArray())) {
                return;
            }
        } catch (IOException e) {
            close(e);
            return;
        }
        updateInterest();
        if (state == TcpState.FLUSHING_THEN_FIN) {
            completeShutdownOutput();
        } else if (state == TcpState.FLUSHING_THEN_CLOSE) {
            close(null);
            return;
        }
        if (state.isOpen() && out.takeDrainedAfterWatermark()) {
            try {
                handler.onWritable(this);
            } catch (Throwable t) {
                handlerFailed("onWritable", t);
            }
        }
    }

    private void completeShutdownOutput() {
        if (tls != null && !tls.closeNotifyQueued()) {
            if (!tls.queueCloseNotify()) {
                return; // the connection closed while writing it
            }
            if (!out.isEmpty()) {
                return; // flush() calls back here once close_notify is on the wire
            }
        }
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            close(e);
            return;
        }
        state = state.outputShut();
        if (in.ended()) {
            close(null); // both directions are finished; nothing is left for the socket to do
        }
    }

    private void updateInterest() {
        if (key == null || !key.isValid()) {
            return;
        }
        int ops = state == TcpState.CONNECTING
                ? SelectionKey.OP_CONNECT
                : (in.wantsRead() ? SelectionKey.OP_READ : 0) | (out.isEmpty() ? 0 : SelectionKey.OP_WRITE);
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    void handlerFailed(String hook, Throwable t) {
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "ConnectionHandler." + hook + " threw; closing " + this, t);
        }
        close(t);
    }

    void close(Throwable cause) {
        TcpState was = state;
        if (was == TcpState.CLOSED) {
            return;
        }
        state = was.closed();
        loop.timers().cancel(this);
        boolean socketFailed = cause instanceof IOException && !(cause instanceof SSLException);
        if (tls != null && out.isEmpty() && !socketFailed && (was.isOpen() || cause instanceof SSLException)) {
            tls.closeNow(channel); // close_notify, or the alert that tells the peer why the handshake failed
        }
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "Closing the socket of " + this + " failed", e);
        }
        out.release();
        if (server != null) {
            server.connectionClosed();
        }
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "Closed " + this + (cause == null ? "" : " because of " + cause));
        }
        if (was == TcpState.CONNECTING || was == TcpState.TLS_HANDSHAKE) {
            CompletableFuture<TcpConnection> future = connectFuture;
            connectFuture = null;
            if (future != null) {
                future.completeExceptionally(cause != null ? cause
                        : new ConnectException("Connection to " + remoteAddress + " was closed before it was established"));
            }
            return;
        }
        try {
            handler.onClosed(this, cause);
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "ConnectionHandler.onClosed threw for " + this + "; ignored", t);
        }
    }
}
