package dev.duplex.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * Socket and buffering options shared by {@link TcpServer} and {@link TcpClient}. Immutable;
 * change a component with the matching {@code with…} method.
 *
 * @param backlog length of the kernel's accept queue for a server socket; default 4,096 (the
 *     kernel caps it at {@code net.core.somaxconn}). Ignored by clients.
 * @param maxConnections most connections one {@link TcpServer} keeps open at once; default 19,000.
 *     The process descriptor limit on the target hosts is 20,000: every connection costs one
 *     descriptor, and the remaining 1,000 cover the JVM's own (JARs, epoll and wake-up descriptors
 *     of each event loop, log files) so the limit is reached before {@code EMFILE} is. A server at
 *     the limit accepts each further connection and closes it at once, so the client sees an
 *     immediate close instead of waiting in the backlog until its connect timeout. Ignored by
 *     clients.
 * @param readBufferBytes size of each event loop's single shared read buffer, and so the most bytes
 *     one {@link ConnectionHandler#onData} call sees; default 64 KiB. Connections have no read
 *     buffer of their own.
 * @param writeHighWatermarkBytes queued bytes above which {@link TcpConnection#isWritable()} turns
 *     false; default 1 MiB. Writes never fail because of it: it is a signal for the caller to stop
 *     producing until {@link ConnectionHandler#onWritable}.
 * @param tcpNoDelay disables Nagle's algorithm; default {@code true}, since message protocols
 *     write whole messages and want them sent now.
 * @param socketSendBufferBytes {@code SO_SNDBUF}; default 0, which keeps the OS default (and its
 *     auto-tuning).
 * @param socketReceiveBufferBytes {@code SO_RCVBUF}; default 0, which keeps the OS default (and
 *     its auto-tuning). For servers it is applied to the listening socket so accepted sockets
 *     inherit it before the TCP window scale is negotiated.
 * @param connectTimeout how long {@link TcpClient#connect} waits for the TCP handshake; default
 *     10 seconds. Ignored by servers.
 * @param tlsHandshakeTimeout how long a TLS connection may take from TCP connect to a completed TLS
 *     handshake; default 10 seconds. A peer that connects and never finishes TLS is closed after
 *     it, so it cannot hold a connection (and a {@code maxConnections} slot). Ignored without TLS.
 */
public record TransportOptions(
        int backlog,
        int maxConnections,
        int readBufferBytes,
        long writeHighWatermarkBytes,
        boolean tcpNoDelay,
        int socketSendBufferBytes,
        int socketReceiveBufferBytes,
        Duration connectTimeout,
        Duration tlsHandshakeTimeout) {

    // The transport's defaults, in one place, each with its reason (the parameters above say more).
    /** 4,096: absorbs a reconnect storm; the kernel caps it at net.core.somaxconn. */
    private static final int BACKLOG = 4096;
    /** 19,000: under a 20,000 descriptor limit with room for the JVM's own, reached before EMFILE. */
    private static final int MAX_CONNECTIONS = 19_000;
    /** 64 KiB: one buffer per event loop, not per connection, so it can be generous. */
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    /** 1 MiB: enough to keep a fast link busy; past it the layer above is told to stop producing. */
    private static final long WRITE_HIGH_WATERMARK_BYTES = 1024 * 1024;
    /** On: message protocols write whole messages and want them sent now, not coalesced. */
    private static final boolean TCP_NO_DELAY = true;
    /** 0: the OS's socket buffers and their auto-tuning. */
    private static final int SOCKET_BUFFER_BYTES = 0;
    /** 10 s: a TCP connect that takes longer is not going to work. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** 10 s: a peer that never finishes TLS cannot hold a connection (and a slot) longer. */
    private static final Duration DEFAULT_TLS_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    private static final TransportOptions DEFAULTS = new TransportOptions(BACKLOG, MAX_CONNECTIONS, READ_BUFFER_BYTES,
            WRITE_HIGH_WATERMARK_BYTES, TCP_NO_DELAY, SOCKET_BUFFER_BYTES, SOCKET_BUFFER_BYTES, CONNECT_TIMEOUT,
            DEFAULT_TLS_HANDSHAKE_TIMEOUT);

    /**
     * The options as they were before {@link #tlsHandshakeTimeout()} existed; that component gets
     * its default (10 seconds). Kept so existing callers compile unchanged.
     */
    public TransportOptions(int backlog, int maxConnections, int readBufferBytes, long writeHighWatermarkBytes,
            boolean tcpNoDelay, int socketSendBufferBytes, int socketReceiveBufferBytes, Duration connectTimeout) {
        this(backlog, maxConnections, readBufferBytes, writeHighWatermarkBytes, tcpNoDelay, socketSendBufferBytes,
                socketReceiveBufferBytes, connectTimeout, DEFAULT_TLS_HANDSHAKE_TIMEOUT);
    }

    /** Validates every component; the messages name the component and the allowed range. */
    public TransportOptions {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, was " + backlog);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
        }
        if (readBufferBytes < 512) {
            throw new IllegalArgumentException("readBufferBytes must be at least 512, was " + readBufferBytes);
        }
        if (writeHighWatermarkBytes < 0) {
            throw new IllegalArgumentException(
                    "writeHighWatermarkBytes must be zero or positive, was " + writeHighWatermarkBytes);
        }
        if (socketSendBufferBytes < 0 || socketReceiveBufferBytes < 0) {
            throw new IllegalArgumentException("socket buffer sizes must be zero (OS default) or positive, were "
                    + socketSendBufferBytes + " and " + socketReceiveBufferBytes);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout must not be null; use a positive Duration");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, was " + connectTimeout);
        }
        Objects.requireNonNull(tlsHandshakeTimeout, "tlsHandshakeTimeout must not be null; use a positive Duration");
        if (tlsHandshakeTimeout.isNegative() || tlsHandshakeTimeout.isZero()) {
            throw new IllegalArgumentException("tlsHandshakeTimeout must be positive, was " + tlsHandshakeTimeout);
        }
    }

    /**
     * Backlog 4,096; at most 19,000 connections per server; 64 KiB read buffer per loop; 1 MiB
     * write high watermark; {@code TCP_NODELAY} on; OS-default socket buffers; 10 second connect
     * timeout; 10 second TLS handshake timeout.
     */
    public static TransportOptions defaults() {
        return DEFAULTS;
    }

    /** A copy with {@link #backlog()} replaced. */
    public TransportOptions withBacklog(int value) {
        return new TransportOptions(value, maxConnections, readBufferBytes, writeHighWatermarkBytes, tcpNoDelay,
                socketSendBufferBytes, socketReceiveBufferBytes, connectTimeout, tlsHandshakeTimeout);
    }

    /** A copy with {@link #maxConnections()} replaced. */
    public TransportOptions withMaxConnections(int value) {
        return new TransportOptions(backlog, value, readBufferBytes, writeHighWatermarkBytes, tcpNoDelay,
                socketSendBufferBytes, socketReceiveBufferBytes, connectTimeout, tlsHandshakeTimeout);
    }

    /** A copy with {@link #readBufferBytes()} replaced. */
    public TransportOptions withReadBufferBytes(int value) {
        return new TransportOptions(backlog, maxConnections, value, writeHighWatermarkBytes, tcpNoDelay,
                socketSendBufferBytes, socketReceiveBufferBytes, connectTimeout, tlsHandshakeTimeout);
    }

    /** A copy with {@link #writeHighWatermarkBytes()} replaced. */
    public TransportOptions withWriteHighWatermarkBytes(long value) {
        return new TransportOptions(backlog, maxConnections, readBufferBytes, value, tcpNoDelay,
                socketSendBufferBytes, socketReceiveBufferBytes, connectTimeout, tlsHandshakeTimeout);
    }

    /** A copy with {@link #tcpNoDelay()} replaced. */
    public TransportOptions withTcpNoDelay(boolean value) {
        return new TransportOptions(backlog, maxConnections, readBufferBytes, writeHighWatermarkBytes, value,
                socketSendBufferBytes, socketReceiveBufferBytes, connectTimeout, tlsHandshakeTimeout);
    }

    /** A copy with {@link #socketSendBufferBytes()} replaced. */
    public TransportOptions withSocketSendBufferBytes(int value) {
        return new TransportOptions(backlog, maxConnections, readBufferBytes, writeHighWatermarkBytes, tcpNoDelay,
                value, socketReceiveBufferBytes, connectTimeout, tlsHandshakeTimeout);
    }

    /** A copy with {@link #socketReceiveBufferBytes()} replaced. */
    public TransportOptions withSocketReceiveBufferBytes(int value) {
        return new TransportOptions(backlog, maxConnections, readBufferBytes, writeHighWatermarkBytes, tcpNoDelay,
                socketSendBufferBytes, value, connectTimeout, tlsHandshakeTimeout);
    }

    /** A copy with {@link #connectTimeout()} replaced. */
    public TransportOptions withConnectTimeout(Duration value) {
        return new TransportOptions(backlog, maxConnections, readBufferBytes, writeHighWatermarkBytes, tcpNoDelay,
                socketSendBufferBytes, socketReceiveBufferBytes, value, tlsHandshakeTimeout);
    }

    /** A copy with {@link #tlsHandshakeTimeout()} replaced. */
    public TransportOptions withTlsHandshakeTimeout(Duration value) {
        return new TransportOptions(backlog, maxConnections, readBufferBytes, writeHighWatermarkBytes, tcpNoDelay,
                socketSendBufferBytes, socketReceiveBufferBytes, connectTimeout, value);
    }
}
