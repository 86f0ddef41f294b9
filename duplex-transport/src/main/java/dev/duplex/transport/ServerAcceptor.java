package dev.duplex.transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The listening socket of one {@link TcpServer}, registered on one event loop. Accepts in bounded
 * batches and hands each socket to the server; after a failed accept it follows
 * {@link AcceptBackoff}, pausing by dropping {@code OP_ACCEPT} interest and restoring it from a
 * timer, so the loop never spins on a backlog it cannot serve.
 *
 * <p>Not thread-safe: confined to its loop thread.
 */
final class ServerAcceptor {
    private static final System.Logger LOG = System.getLogger(ServerAcceptor.class.getName());
    /** Accepts per select round, so a connection storm cannot starve established connections. */
    private static final int MAX_ACCEPTS_PER_ROUND = 64;

    /** The accept call; replaceable so tests can inject failures such as EMFILE. */
    interface AcceptCall {
        SocketChannel accept() throws IOException;
    }

    private final TcpServer server;
    private final EventLoop loop;
    private final ServerSocketChannel channel;
    private final AcceptBackoff backoff = new AcceptBackoff();
    private AcceptCall acceptCall;
    private SelectionKey key;
    private int pauses;

    ServerAcceptor(TcpServer server, EventLoop loop, ServerSocketChannel channel) {
        this.server = server;
        this.loop = loop;
        this.channel = channel;
        this.acceptCall = channel::accept;
    }

    void register() throws IOException {
        key = channel.register(loop.selector(), SelectionKey.OP_ACCEPT, this);
    }

    void onAcceptable() {
        for (int i = 0; i < MAX_ACCEPTS_PER_ROUND && channel.isOpen(); i++) {
            SocketChannel accepted;
            try {
                accepted = acceptCall.accept();
            } catch (IOException e) {
                if (onAcceptFailure(e)) {
                    return;
                }
                continue;
            }
            if (accepted == null) {
                return; // backlog drained
            }
            backoff.onSuccess();
            server.accepted(accepted);
        }
    }

    /** Returns true if accepting is now paused. */
    private boolean onAcceptFailure(IOException e) {
        AcceptBackoff.Decision decision = backoff.onFailure(e);
        if (decision.log()) {
            if (decision.descriptorsExhausted()) {
                LOG.log(Level.WARNING, "Out of file descriptors accepting on " + server.localAddress()
                        + "; pausing accepts for 100 ms at a time until descriptors free up. Raise the process "
                        + "limit (ulimit -n) or lower TransportOptions.maxConnections: " + e.getMessage());
            } else {
                LOG.log(Level.DEBUG, "accept() failed on " + server.localAddress() + "; continuing", e);
            }
        }
        if (decision.pauseNanos() <= 0) {
            return false;
        }
        pauses++;
        if (key != null && key.isValid()) {
            key.interestOps(0);
        }
        loop.schedule(this::resume, decision.pauseNanos(), TimeUnit.NANOSECONDS);
        return true;
    }

    private void resume() {
        if (key != null && key.isValid()) {
            key.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    /**
     * Closes the listening socket. Runs on the loop thread. The descriptor is released when the
     * selector next deregisters the key, see {@link EventLoop#flushDeregistrations()}.
     */
    void closeChannel() {
        if (key != null) {
            key.cancel();
        }
        Sockets.closeQuietly(channel);
    }

    int pauses() {
        return pauses;
    }

    void acceptCall(AcceptCall call) {
        this.acceptCall = call;
    }
}
