package dev.duplex.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A listening TCP socket. Accepting runs on the group's first loop; each accepted connection is
 * handed to {@link EventLoopGroup#next()} and gets its own handler from the factory.
 *
 * <p>At {@link TransportOptions#maxConnections()} open connections, a newly accepted socket is
 * closed at once (and counted in {@link #rejectedConnections()}): the client learns immediately,
 * where leaving it in the backlog would make it wait for its connect timeout.
 *
 * <p>Thread-safe.
 */
public final class TcpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());
    private static final long WAIT_SECONDS = 10;

    private final EventLoopGroup group;
    private final TransportOptions options;
    private final Supplier<ConnectionHandler> handlerFactory;
    private final TlsConfig tls;
    private final InetSocketAddress localAddress;
    private final EventLoop acceptLoop;
    private final ServerAcceptor acceptor;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicBoolean accepting = new AtomicBoolean(true);
    private final AtomicBoolean closed = new AtomicBoolean();

    private TcpServer(EventLoopGroup group, TransportOptions options, TlsConfig tls,
            Supplier<ConnectionHandler> handlerFactory, ServerSocketChannel channel) throws IOException {
        this.group = group;
        this.options = options;
        this.tls = tls;
        this.handlerFactory = handlerFactory;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.acceptLoop = group.loops().get(0);
        this.acceptor = new ServerAcceptor(this, acceptLoop, channel);
    }

    /**
     * Binds {@code address} and starts accepting; each accepted socket goes to
     * {@code group.next()} and {@code handlerFactory} makes the handler for it (on the accepting
     * loop thread).
     *
     * @throws IOException if the address cannot be bound, e.g. {@link BindException} when the port
     *     is in use
     */
    public static TcpServer bind(EventLoopGroup group, InetSocketAddress address, TransportOptions options,
            Supplier<ConnectionHandler> handlerFactory) throws IOException {
        return bind(group, address, options, null, handlerFactory);
    }

    /**
     * Like {@link #bind(EventLoopGroup, InetSocketAddress, TransportOptions, Supplier)}, serving
     * TLS when {@code tls} is not null (plaintext when it is). With TLS, {@code handlerFactory} is
     * called on the connection's loop once its TLS handshake has succeeded, so a peer that fails or
     * never finishes the handshake (it is closed after {@link TransportOptions#tlsHandshakeTimeout()})
     * costs the layer above nothing.
     *
     * @throws IllegalArgumentException if {@code tls} is a client configuration
     */
    public static TcpServer bind(EventLoopGroup group, InetSocketAddress address, TransportOptions options,
            TlsConfig tls, Supplier<ConnectionHandler> handlerFactory) throws IOException {
        if (tls != null && tls.isClient()) {
            throw new IllegalArgumentException("A server needs TlsConfig.server(...), not a client configuration");
        }
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handlerFactory, "handlerFactory");
        ServerSocketChannel channel = ServerSocketChannel.open();
        TcpServer server;
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (options.socketReceiveBufferBytes() > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, options.socketReceiveBufferBytes());
            }
            try {
                channel.bind(address, options.backlog());
            } catch (BindException e) {
                BindException detailed = new BindException("Could not listen on " + address + ": " + e.getMessage()
                        + "; is another process using the port?");
                detailed.initCause(e);
                throw detailed;
            }
            channel.configureBlocking(false);
            server = new TcpServer(group, options, tls, handlerFactory, channel);
            server.onAcceptLoop(() -> {
                try {
                    server.acceptor.register();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | RuntimeException e) {
            Sockets.closeQuietly(channel);
            throw e;
        }
        LOG.log(Level.DEBUG, "Listening on {0}", server.localAddress);
        return server;
    }

    /** The bound address, with the real port when bound to port 0. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Open connections accepted by this server, including ones still being registered. */
    public int connectionCount() {
        return connections.get();
    }

    /** Connections accepted and closed at once because {@link TransportOptions#maxConnections()} was reached. */
    public long rejectedConnections() {
        return rejected.get();
    }

    /**
     * Closes the listening socket, keeping existing connections. Once this returns, new connects
     * are refused (unless called on the accepting loop's own thread, where it cannot wait).
     * Idempotent.
     */
    public void stopAccepting() {
        if (closeListener()) {
            LOG.log(Level.DEBUG, "Stopped accepting on {0}", localAddress);
        }
    }

    /**
     * Stops accepting and closes every connection this server accepted; their handlers see
     * {@link ConnectionHandler#onClosed} with a {@code null} cause. Waits (bounded) for the loops
     * to do so, except when called on one of the group's loop threads. Idempotent.
     */
    @Override
    public void close() {
        closeListener();
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        boolean onLoopThread = false;
        for (EventLoop loop : group.loops()) {
            if (loop.inEventLoop()) {
                onLoopThread = true;
                loop.closeConnectionsOf(this);
                continue;
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (loop.executeIfRunning(() -> {
                loop.closeConnectionsOf(this);
                f.complete(null);
            })) {
                done.add(f);
            }
        }
        if (!onLoopThread) {
            try {
                CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(Level.WARNING, "Closing the connections of " + localAddress + " did not finish within "
                        + WAIT_SECONDS + " s; a handler may be blocking its loop", e);
            }
        }
        LOG.log(Level.DEBUG, "Closed server {0}", localAddress);
    }

    /** The bound address, for logs. */
    @Override
    public String toString() {
        return "TcpServer[" + localAddress + "]";
    }

    // ---- package-private: acceptor and connection callbacks, test hooks ----

    /** Takes one accepted socket: enforces the limit, configures it and hands it to a loop. */
    void accepted(SocketChannel channel) {
        if (connections.get() >= options.maxConnections()) {
            rejected.incrementAndGet();
            Sockets.closeQuietly(channel);
            LOG.log(Level.DEBUG, "Rejected a connection on {0}: at maxConnections ({1})", localAddress,
                    options.maxConnections());
            return;
        }
        connections.incrementAndGet();
        ConnectionHandler handler = null;
        try {
            Sockets.configure(channel, options);
            if (tls == null) {
                handler = Objects.requireNonNull(handlerFactory.get(), "the handler factory returned null");
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Dropping a connection accepted on " + localAddress + ": " + e.getMessage(), e);
            abandon(channel);
            return;
        }
        EventLoop target = group.next();
        TcpConnection connection = new TcpConnection(target, channel, handler, options, this, null, tls,
                tls == null ? null : handlerFactory);
        if (target.inEventLoop()) {
            connection.openAccepted();
        } else if (!target.executeIfRunning(connection::openAccepted)) {
            abandon(channel);
        }
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    boolean isClosed() {
        return closed.get();
    }

    ServerAcceptor acceptor() {
        return acceptor;
    }

    /** Closes the listening socket once; returns whether this call did it. */
    private boolean closeListener() {
        if (!accepting.compareAndSet(true, false)) {
            return false;
        }
        if (acceptLoop.isShuttingDown()) {
            acceptor.closeChannel(); // the loop is gone or going; closing from here is safe
            return true;
        }
        if (acceptLoop.inEventLoop()) {
            // Possibly inside a selection handler: flushing deregistrations now would disturb the
            // selected-key iteration, so it runs as a task.
            acceptor.closeChannel();
            acceptLoop.executeIfRunning(acceptLoop::flushDeregistrations);
            return true;
        }
        try {
            onAcceptLoop(() -> {
                acceptor.closeChannel();
                acceptLoop.flushDeregistrations();
            });
        } catch (IOException e) {
            acceptor.closeChannel();
            LOG.log(Level.WARNING, "Stopping accepts on " + localAddress + " did not complete cleanly", e);
        }
        return true;
    }

    private void abandon(SocketChannel channel) {
        Sockets.closeQuietly(channel);
        connections.decrementAndGet();
    }

    /** Runs {@code action} on the accepting loop and waits for it, or runs it inline on that loop. */
    private void onAcceptLoop(Runnable action) throws IOException {
        if (acceptLoop.inEventLoop()) {
            action.run();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!acceptLoop.executeIfRunning(() -> {
            try {
                action.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        })) {
            throw new IOException("Event loop " + acceptLoop + " is shut down; the EventLoopGroup was closed");
        }
        try {
            done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for event loop " + acceptLoop, e);
        } catch (TimeoutException e) {
            throw new IOException("Event loop " + acceptLoop + " did not respond within " + WAIT_SECONDS
                    + " s; a handler may be blocking it", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("Failed on event loop " + acceptLoop + ": " + cause, cause);
        }
    }
}
