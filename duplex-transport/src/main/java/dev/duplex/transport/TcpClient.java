package dev.duplex.transport;

import java.io.IOException;
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
