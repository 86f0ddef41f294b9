package dev.duplex.transport;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/** Opens outbound TCP connections on an event loop. Stateless and thread-safe. */
public final class TcpClient {
    private TcpClient() {}

    /**
     * Connects without blocking. The future completes after {@link ConnectionHandler#onOpen} has
     * been called, or exceptionally with the connect failure: {@link java.net.ConnectException}
     * when refused, {@link java.net.SocketTimeoutException} after
     * {@link TransportOptions#connectTimeout()}, the exception {@code onOpen} threw, or
     * {@link RejectedExecutionException} if {@code loop} is shut down. {@link
     * ConnectionHandler#onClosed} is called only for connections that reached {@code onOpen}.
     */
    public static CompletableFuture<TcpConnection> connect(EventLoop loop, InetSocketAddress remote,
            TransportOptions options, ConnectionHandler handler) {
        return connect(loop, remote, options, null, handler);
    }

    /**
     * Like {@link #connect(EventLoop, InetSocketAddress, TransportOptions, ConnectionHandler)},
     * speaking TLS when {@code tls} is not null (plaintext when it is): the future completes after
     * the TLS handshake and {@code onOpen}, or exceptionally with the handshake's failure, e.g. an
     * {@link javax.net.ssl.SSLHandshakeException} for an untrusted certificate or one that does not
     * name {@link TlsConfig#serverName()}, or a {@link java.net.SocketTimeoutException} after
     * {@link TransportOptions#tlsHandshakeTimeout()}.
     *
     * @throws IllegalArgumentException if {@code tls} is a server configuration
     */
    public static CompletableFuture<TcpConnection> connect(EventLoop loop, InetSocketAddress remote,
            TransportOptions options, TlsConfig tls, ConnectionHandler handler) {
        return connect(loop, remote, null, options, tls, handler);
    }

    /**
     * Like {@link #connect(EventLoop, InetSocketAddress, TransportOptions, TlsConfig,
     * ConnectionHandler)}, from the local address {@code local} (null: the OS picks, as the other
     * overloads do). The socket is bound before it connects, so a client can choose its source IP,
     * e.g. one of several loopback addresses ({@code 127.0.0.2}, …) to open more connections to
     * one server than one source address has ephemeral ports; port 0 lets the OS pick the port.
     * A bind failure (address not on this host, port in use, ports exhausted) completes the future
     * exceptionally with a {@link java.net.BindException} naming {@code local}.
     */
    public static CompletableFuture<TcpConnection> connect(EventLoop loop, InetSocketAddress remote,
            InetSocketAddress local, TransportOptions options, TlsConfig tls, ConnectionHandler handler) {
        if (tls != null && !tls.isClient()) {
            throw new IllegalArgumentException("A client needs TlsConfig.client(...), not a server configuration");
        }
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        CompletableFuture<TcpConnection> future = new CompletableFuture<>();
        SocketChannel channel;
        try {
            channel = SocketChannel.open();
        } catch (IOException e) {
            future.completeExceptionally(e);
            return future;
        }
        try {
            Sockets.configure(channel, options);
        } catch (IOException e) {
            Sockets.closeQuietly(channel);
            future.completeExceptionally(e);
            return future;
        }
        if (local != null) {
            try {
                channel.bind(local);
            } catch (IOException e) {
                Sockets.closeQuietly(channel);
                BindException failure = new BindException("Cannot bind the local address " + local
                        + " before connecting to " + remote + ": " + e.getMessage());
                failure.initCause(e);
                future.completeExceptionally(failure);
                return future;
            }
        }
        TcpConnection connection = new TcpConnection(loop, channel, handler, options, null, remote, tls, null);
        // Always via the queue, even on the loop thread: onOpen must not run inside the caller.
        if (!loop.executeIfRunning(() -> connection.startConnect(remote, future))) {
            Sockets.closeQuietly(channel);
            future.completeExceptionally(new RejectedExecutionException(
                    "Event loop " + loop + " is shut down; cannot connect to " + remote));
        }
        return future;
    }
}
