package dev.duplex.websocket;

import dev.duplex.protocol.ProtocolDefaults;
import dev.duplex.transport.TlsConfig;
import dev.duplex.transport.TransportOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Every setting of a {@link WebSocketServer} or {@link WebSocketClient}, with the library's
 * defaults: this layer's are decided here, each with its reason, and the engine's and the
 * transport's are taken from their layers ({@code ProtocolDefaults}, {@code TransportOptions}),
 * where their reasons are. Immutable; change a setting with its {@code with…} copy. Settings marked "server" or "client" are ignored by the
 * other side. The defaults are finite except the timers a plain echo must not impose, and equal
 * those of {@code duplex serve}.
 *
 * <pre>{@code
 * WebSocketOptions options = WebSocketOptions.defaults()
 *     .withMaxMessageBytes(4 << 20)
 *     .withPingInterval(Duration.ofSeconds(25))
 *     .withCompression(true);
 * }</pre>
 */
public final class WebSocketOptions {
    // ------------------------------------------------------------------------------------------------
    // The defaults of this layer, with their reasons. The engine's (message, frame and head limits,
    // compression) are in ProtocolDefaults and the transport's (sockets) in TransportOptions, each
    // with its reason there; they are used here as they are.

    private static final TransportOptions TRANSPORT = TransportOptions.defaults();
    /** 4 MiB: four messages of the default largest size; a slow consumer is closed with 1008 beyond it. */
    private static final long MAX_QUEUED_BYTES = 4L << 20;
    /** 10 s: the whole opening handshake, however slowly it dribbles in (slowloris). */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Off: an echo or a chat must not drop quiet peers unless the application says so. */
    private static final Duration IDLE_TIMEOUT = Duration.ZERO;
    /** Off: pings cost every connection traffic; applications that need liveness turn them on. */
    private static final Duration PING_INTERVAL = Duration.ZERO;
    /** 10 s: long enough for a busy mobile link, short enough to free a dead connection. */
    private static final Duration PONG_TIMEOUT = Duration.ofSeconds(10);
    /** 5 s: the peer's Close usually takes a round trip; a peer that never answers is dropped (1006). */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** 100: far above any heartbeat; a ping flood is closed with 1008. */
    private static final int MAX_PINGS_PER_SECOND = 100;
    /** Off: compression costs CPU and, with context takeover, memory (RFC 7692). */
    private static final boolean COMPRESSION = false;
    /** 18,000: the transport's hard limit less 1,000, so clients over it still get a 503 (see maxConnections). */
    private static final int MAX_CONNECTIONS = TRANSPORT.maxConnections() - 1_000;
    /** 256: one host cannot take all connections; exceeded: 429. */
    private static final int MAX_CONNECTIONS_PER_ADDRESS = 256;
    /** 1,024: slow or silent clients cannot crowd out real ones; exceeded: 503. */
    private static final int MAX_PENDING_HANDSHAKES = 1024;
    /** 64 MiB: context takeover for about 200 connections both ways at 15-bit windows. */
    private static final long COMPRESSION_BUDGET_BYTES = 64L << 20;
    /** 256 MiB: many peers each sending a large message slowly cannot exhaust the heap; exceeded: 1013. */
    private static final long MESSAGE_MEMORY_BYTES = 256L << 20;
    /** 1 MiB: plain HTTP bodies are API calls, not uploads; exceeded: 413. */
    private static final int MAX_HTTP_BODY_BYTES = 1 << 20;

    private static final WebSocketOptions DEFAULTS = new WebSocketOptions();

    // ------------------------------------------------------------------------------------------------

    private long maxFrameBytes = ProtocolDefaults.MAX_FRAME_BYTES;
    private long maxMessageBytes = ProtocolDefaults.MAX_MESSAGE_BYTES;
    private int maxFragments = ProtocolDefaults.MAX_FRAGMENTS;
    private long streamingThresholdBytes = ProtocolDefaults.STREAMING_THRESHOLD_BYTES;
    private int maxHeadBytes = ProtocolDefaults.MAX_HEAD_BYTES;
    private int maxRequestLineBytes = ProtocolDefaults.MAX_REQUEST_LINE_BYTES;
    private int maxHeaderCount = ProtocolDefaults.MAX_HEADER_COUNT;
    private long maxQueuedBytes = MAX_QUEUED_BYTES;
    private Duration handshakeTimeout = HANDSHAKE_TIMEOUT;
    private Duration idleTimeout = IDLE_TIMEOUT;
    private Duration pingInterval = PING_INTERVAL;
    private Duration pongTimeout = PONG_TIMEOUT;
    private Duration closeTimeout = CLOSE_TIMEOUT;
    private int maxPingsPerSecond = MAX_PINGS_PER_SECOND;
    private boolean compression = COMPRESSION;
    private int compressionLevel = ProtocolDefaults.COMPRESSION_LEVEL;
    private int compressionThresholdBytes = ProtocolDefaults.COMPRESSION_THRESHOLD_BYTES;
    private boolean localContextTakeover = ProtocolDefaults.CONTEXT_TAKEOVER;
    private boolean peerContextTakeover = ProtocolDefaults.CONTEXT_TAKEOVER;
    private int localMaxWindowBits = ProtocolDefaults.MAX_WINDOW_BITS;
    private int peerMaxWindowBits = ProtocolDefaults.MAX_WINDOW_BITS;
    private long writeHighWatermarkBytes = TRANSPORT.writeHighWatermarkBytes();
    private int readBufferBytes = TRANSPORT.readBufferBytes();
    private boolean tcpNoDelay = TRANSPORT.tcpNoDelay();
    private int socketSendBufferBytes = TRANSPORT.socketSendBufferBytes();
    private int socketReceiveBufferBytes = TRANSPORT.socketReceiveBufferBytes();
    private int backlog = TRANSPORT.backlog();
    private Duration connectTimeout = TRANSPORT.connectTimeout();
    private Duration tlsHandshakeTimeout = TRANSPORT.tlsHandshakeTimeout();
    private List<String> tlsProtocols = TlsConfig.DEFAULT_PROTOCOLS;
    private int maxConnections = MAX_CONNECTIONS;
    private int maxConnectionsPerAddress = MAX_CONNECTIONS_PER_ADDRESS;
    private int maxPendingHandshakes = MAX_PENDING_HANDSHAKES;
    private long compressionBudgetBytes = COMPRESSION_BUDGET_BYTES;
    private long messageMemoryBytes = MESSAGE_MEMORY_BYTES;
    private int maxHttpBodyBytes = MAX_HTTP_BODY_BYTES;
    private List<String> allowedOrigins = List.of();
    private boolean anyOrigin;

    private WebSocketOptions() {
    }

    /** The defaults listed above. */
    public static WebSocketOptions defaults() {
        return DEFAULTS;
    }

    private WebSocketOptions copy() {
        WebSocketOptions c = new WebSocketOptions();
        c.maxFrameBytes = maxFrameBytes;
        c.maxMessageBytes = maxMessageBytes;
        c.maxFragments = maxFragments;
        c.streamingThresholdBytes = streamingThresholdBytes;
        c.maxHeadBytes = maxHeadBytes;
        c.maxRequestLineBytes = maxRequestLineBytes;
        c.maxHeaderCount = maxHeaderCount;
        c.maxQueuedBytes = maxQueuedBytes;
        c.handshakeTimeout = handshakeTimeout;
        c.idleTimeout = idleTimeout;
        c.pingInterval = pingInterval;
        c.pongTimeout = pongTimeout;
        c.closeTimeout = closeTimeout;
        c.maxPingsPerSecond = maxPingsPerSecond;
        c.compression = compression;
        c.compressionLevel = compressionLevel;
        c.compressionThresholdBytes = compressionThresholdBytes;
        c.localContextTakeover = localContextTakeover;
        c.peerContextTakeover = peerContextTakeover;
        c.localMaxWindowBits = localMaxWindowBits;
        c.peerMaxWindowBits = peerMaxWindowBits;
        c.writeHighWatermarkBytes = writeHighWatermarkBytes;
        c.readBufferBytes = readBufferBytes;
        c.tcpNoDelay = tcpNoDelay;
        c.socketSendBufferBytes = socketSendBufferBytes;
        c.socketReceiveBufferBytes = socketReceiveBufferBytes;
        c.backlog = backlog;
        c.connectTimeout = connectTimeout;
        c.tlsHandshakeTimeout = tlsHandshakeTimeout;
        c.tlsProtocols = tlsProtocols;
        c.maxConnections = maxConnections;
        c.maxConnectionsPerAddress = maxConnectionsPerAddress;
        c.maxPendingHandshakes = maxPendingHandshakes;
        c.compressionBudgetBytes = compressionBudgetBytes;
        c.messageMemoryBytes = messageMemoryBytes;
        c.maxHttpBodyBytes = maxHttpBodyBytes;
        c.allowedOrigins = allowedOrigins;
        c.anyOrigin = anyOrigin;
        return c;
    }

    // ------------------------------------------------------------------------------------------------
    // Inbound messages. A limit exceeded fails the connection with 1009 before any byte beyond it is buffered.

    /** Largest message, summed over its fragments (inflated bytes when compressed); -1: no limit (not for servers). */
    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    /** Sets the largest message and the largest frame to {@code bytes}; -1: no limit. */
    public WebSocketOptions withMaxMessageBytes(long bytes) {
        WebSocketOptions c = copy();
        c.maxMessageBytes = sizeOrNoLimit("maxMessageBytes", bytes);
        c.maxFrameBytes = c.maxMessageBytes;
        return c;
    }

    /** Largest payload of a single frame; -1: no limit beyond {@link #maxMessageBytes()}. */
    public long maxFrameBytes() {
        return maxFrameBytes;
    }

    public WebSocketOptions withMaxFrameBytes(long bytes) {
        WebSocketOptions c = copy();
        c.maxFrameBytes = sizeOrNoLimit("maxFrameBytes", bytes);
        return c;
    }

    /** Most frames one message may span; -1: no limit. */
    public int maxFragments() {
        return maxFragments;
    }

    public WebSocketOptions withMaxFragments(int count) {
        WebSocketOptions c = copy();
        c.maxFragments = (int) sizeOrNoLimit("maxFragments", count);
        return c;
    }

    /**
     * Messages up to this size are delivered whole; a larger one arrives in parts as its bytes do
     * ({@link WebSocketListener#onMessagePart}), never held in memory at once; -1: always whole.
     */
    public long streamingThresholdBytes() {
        return streamingThresholdBytes;
    }

    public WebSocketOptions withStreamingThresholdBytes(long bytes) {
        if (bytes < -1) {
            throw new IllegalArgumentException("streamingThresholdBytes must be >= 0 or -1 (never): " + bytes);
        }
        WebSocketOptions c = copy();
        c.streamingThresholdBytes = bytes;
        return c;
    }

    // ------------------------------------------------------------------------------------------------
    // The opening handshake's HTTP head, checked as its bytes arrive.

    /** The whole head, request line to blank line; exceeded: 431. */
    public int maxHeadBytes() {
        return maxHeadBytes;
    }

    /** Sets the largest head; the request line may not be longer than it either. */
    public WebSocketOptions withMaxHeadBytes(int bytes) {
        if (bytes < 64) {
            throw new IllegalArgumentException("maxHeadBytes must be at least 64: " + bytes);
        }
        WebSocketOptions c = copy();
        c.maxHeadBytes = bytes;
        c.maxRequestLineBytes = Math.min(bytes, maxRequestLineBytes);
        return c;
    }

    /** The request line (server); exceeded: 414. */
    public int maxRequestLineBytes() {
        return maxRequestLineBytes;
    }

    public WebSocketOptions withMaxRequestLineBytes(int bytes) {
        if (bytes < 16) {
            throw new IllegalArgumentException("maxRequestLineBytes must be at least 16: " + bytes);
        }
        WebSocketOptions c = copy();
        c.maxRequestLineBytes = bytes;
        return c;
    }

    /** Header lines; exceeded: 431. */
    public int maxHeaderCount() {
        return maxHeaderCount;
    }

    public WebSocketOptions withMaxHeaderCount(int count) {
        WebSocketOptions c = copy();
        c.maxHeaderCount = positive("maxHeaderCount", count);
        return c;
    }

    // ------------------------------------------------------------------------------------------------
    // Sending.

    /**
     * Most bytes a connection may have waiting to be written. A send that would pass it returns
     * false and closes the connection with 1008, so a peer that stops reading cannot grow memory
     * without bound. Independently, past {@link #writeHighWatermarkBytes()} a server reads nothing
     * more from the connection until it drained.
     */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    public WebSocketOptions withMaxQueuedBytes(long bytes) {
        WebSocketOptions c = copy();
        c.maxQueuedBytes = positive("maxQueuedBytes", bytes);
        return c;
    }

    // ------------------------------------------------------------------------------------------------
    // Timers.

    /** The whole opening handshake; exceeded: 408 (server) or a failed connect (client). */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public WebSocketOptions withHandshakeTimeout(Duration value) {
        WebSocketOptions c = copy();
        c.handshakeTimeout = positive("handshakeTimeout", value);
        return c;
    }

    /** Close with 1001 after this long without any frame from the peer; zero: never. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    public WebSocketOptions withIdleTimeout(Duration value) {
        WebSocketOptions c = copy();
        c.idleTimeout = zeroOrPositive("idleTimeout", value);
        return c;
    }

    /** Send a ping after this long without a frame from the peer; zero: no pings. */
    public Duration pingInterval() {
        return pingInterval;
    }

    public WebSocketOptions withPingInterval(Duration value) {
        WebSocketOptions c = copy();
        c.pingInterval = zeroOrPositive("pingInterval", value);
        return c;
    }

    /** After a heartbeat ping, how long to wait for any frame before dropping the connection as dead (1006). */
    public Duration pongTimeout() {
        return pongTimeout;
    }

    public WebSocketOptions withPongTimeout(Duration value) {
        WebSocketOptions c = copy();
        c.pongTimeout = positive("pongTimeout", value);
        return c;
    }

    /** After sending Close, how long to wait for the peer's before dropping the connection (1006 to the application). */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    public WebSocketOptions withCloseTimeout(Duration value) {
        WebSocketOptions c = copy();
        c.closeTimeout = positive("closeTimeout", value);
        return c;
    }

    /**
     * Pings a peer may send per second; exceeded: 1008. While the peer is not reading, only its
     * latest unanswered ping is answered (RFC 6455 §5.5.3), so pings cannot grow the send queue.
     */
    public int maxPingsPerSecond() {
        return maxPingsPerSecond;
    }

    public WebSocketOptions withMaxPingsPerSecond(int count) {
        WebSocketOptions c = copy();
        c.maxPingsPerSecond = positive("maxPingsPerSecond", count);
        return c;
    }

    // ------------------------------------------------------------------------------------------------
    // permessage-deflate (RFC 7692). "Local" is our compressor, "peer" the other side's.

    /** Whether permessage-deflate is on: a server accepts clients' offers, a client offers it. */
    public boolean compression() {
        return compression;
    }

    public WebSocketOptions withCompression(boolean on) {
        WebSocketOptions c = copy();
        c.compression = on;
        return c;
    }

    /** zlib level, 1–9. */
    public int compressionLevel() {
        return compressionLevel;
    }

    public WebSocketOptions withCompressionLevel(int level) {
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("Compression level must be 1-9: " + level);
        }
        WebSocketOptions c = copy();
        c.compressionLevel = level;
        return c;
    }

    /** Messages shorter than this are sent uncompressed. */
    public int compressionThresholdBytes() {
        return compressionThresholdBytes;
    }

    public WebSocketOptions withCompressionThresholdBytes(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("compressionThresholdBytes must be >= 0: " + bytes);
        }
        WebSocketOptions c = copy();
        c.compressionThresholdBytes = bytes;
        return c;
    }

    /** Whether our compressor may keep its window across messages (better ratio, ~260 KiB of native memory). */
    public boolean localContextTakeover() {
        return localContextTakeover;
    }

    /** Whether we let the peer keep its window (our decompressor then lives as long as the connection, ~44 KiB). */
    public boolean peerContextTakeover() {
        return peerContextTakeover;
    }

    /** Context takeover for our compressor and the peer's; a server holds it within {@link #compressionBudgetBytes()}. */
    public WebSocketOptions withContextTakeover(boolean local, boolean peer) {
        WebSocketOptions c = copy();
        c.localContextTakeover = local;
        c.peerContextTakeover = peer;
        return c;
    }

    /** The largest LZ77 window our compressor uses, 8–15. */
    public int localMaxWindowBits() {
        return localMaxWindowBits;
    }

    /** The largest window we ask the peer to use, 8–15 (15: no request). */
    public int peerMaxWindowBits() {
        return peerMaxWindowBits;
    }

    public WebSocketOptions withMaxWindowBits(int local, int peer) {
        WebSocketOptions c = copy();
        c.localMaxWindowBits = windowBits("localMaxWindowBits", local);
        c.peerMaxWindowBits = windowBits("peerMaxWindowBits", peer);
        return c;
    }

    // ------------------------------------------------------------------------------------------------
    // Sockets.

    /** Queued bytes past which a server stops reading from the connection until the queue drained. */
    public long writeHighWatermarkBytes() {
        return writeHighWatermarkBytes;
    }

    public WebSocketOptions withWriteHighWatermarkBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("writeHighWatermarkBytes must be >= 0: " + bytes);
        }
        WebSocketOptions c = copy();
        c.writeHighWatermarkBytes = bytes;
        return c;
    }

    /** Size of each event loop's read buffer, and so the most bytes one read delivers. */
    public int readBufferBytes() {
        return readBufferBytes;
    }

    public WebSocketOptions withReadBufferBytes(int bytes) {
        if (bytes < 512) {
            throw new IllegalArgumentException("readBufferBytes must be at least 512: " + bytes);
        }
        WebSocketOptions c = copy();
        c.readBufferBytes = bytes;
        return c;
    }

    /** Whether Nagle's algorithm is off (default: it is, since whole messages are written at once). */
    public boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    public WebSocketOptions withTcpNoDelay(boolean on) {
        WebSocketOptions c = copy();
        c.tcpNoDelay = on;
        return c;
    }

    /** {@code SO_SNDBUF}; 0: the OS default. */
    public int socketSendBufferBytes() {
        return socketSendBufferBytes;
    }

    /** {@code SO_RCVBUF}; 0: the OS default. */
    public int socketReceiveBufferBytes() {
        return socketReceiveBufferBytes;
    }

    /** Sets {@code SO_SNDBUF} and {@code SO_RCVBUF}; 0 keeps the OS default (and its auto-tuning). */
    public WebSocketOptions withSocketBufferBytes(int send, int receive) {
        if (send < 0 || receive < 0) {
            throw new IllegalArgumentException("socket buffer sizes must be 0 (OS default) or positive: " + send + ", " + receive);
        }
        WebSocketOptions c = copy();
        c.socketSendBufferBytes = send;
        c.socketReceiveBufferBytes = receive;
        return c;
    }

    /** The kernel's accept queue (server). */
    public int backlog() {
        return backlog;
    }

    public WebSocketOptions withBacklog(int value) {
        WebSocketOptions c = copy();
        c.backlog = positive("backlog", value);
        return c;
    }

    /** How long a TCP connect may take (client). */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    public WebSocketOptions withConnectTimeout(Duration value) {
        WebSocketOptions c = copy();
        c.connectTimeout = positive("connectTimeout", value);
        return c;
    }

    /** How long a wss:// connection may take from TCP connect to a completed TLS handshake. */
    public Duration tlsHandshakeTimeout() {
        return tlsHandshakeTimeout;
    }

    public WebSocketOptions withTlsHandshakeTimeout(Duration value) {
        WebSocketOptions c = copy();
        c.tlsHandshakeTimeout = positive("tlsHandshakeTimeout", value);
        return c;
    }

    /** The TLS versions enabled for wss://, newest first. */
    public List<String> tlsProtocols() {
        return tlsProtocols;
    }

    /** Enables exactly these TLS versions, e.g. {@code "TLSv1.3"} alone. */
    public WebSocketOptions withTlsProtocols(String... protocols) {
        if (protocols.length == 0) {
            throw new IllegalArgumentException("At least one TLS protocol is needed, e.g. TLSv1.3");
        }
        WebSocketOptions c = copy();
        c.tlsProtocols = List.of(protocols);
        return c;
    }

    // ------------------------------------------------------------------------------------------------
    // Admission and shared memory (server). Above a connection limit the client gets an HTTP answer
    // it can act on, with Retry-After, instead of a dropped socket.

    /** Open connections in all states; exceeded: 503. The transport's hard limit is 1,000 above it. */
    public int maxConnections() {
        return maxConnections;
    }

    public WebSocketOptions withMaxConnections(int count) {
        WebSocketOptions c = copy();
        c.maxConnections = positive("maxConnections", count);
        return c;
    }

    /** Open connections from one remote IP address; exceeded: 429. */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    public WebSocketOptions withMaxConnectionsPerAddress(int count) {
        WebSocketOptions c = copy();
        c.maxConnectionsPerAddress = positive("maxConnectionsPerAddress", count);
        return c;
    }

    /** Connections that have not finished the opening handshake (or whose HTTP request is being answered); exceeded: 503. */
    public int maxPendingHandshakes() {
        return maxPendingHandshakes;
    }

    public WebSocketOptions withMaxPendingHandshakes(int count) {
        WebSocketOptions c = copy();
        c.maxPendingHandshakes = positive("maxPendingHandshakes", count);
        return c;
    }

    /**
     * Memory all connections together may keep for compression context between messages;
     * connections negotiated once it is spent compress without context takeover.
     */
    public long compressionBudgetBytes() {
        return compressionBudgetBytes;
    }

    public WebSocketOptions withCompressionBudgetBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("compressionBudgetBytes must be >= 0: " + bytes);
        }
        WebSocketOptions c = copy();
        c.compressionBudgetBytes = bytes;
        return c;
    }

    /** Memory incomplete inbound messages of all connections together may hold; a connection that would pass it gets 1013. */
    public long messageMemoryBytes() {
        return messageMemoryBytes;
    }

    public WebSocketOptions withMessageMemoryBytes(long bytes) {
        WebSocketOptions c = copy();
        c.messageMemoryBytes = positive("messageMemoryBytes", bytes);
        return c;
    }

    /** The largest plain HTTP request body (see {@link WebSocketServer#http}); exceeded: 413. */
    public int maxHttpBodyBytes() {
        return maxHttpBodyBytes;
    }

    public WebSocketOptions withMaxHttpBodyBytes(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxHttpBodyBytes must be >= 0: " + bytes);
        }
        WebSocketOptions c = copy();
        c.maxHttpBodyBytes = bytes;
        return c;
    }

    // ------------------------------------------------------------------------------------------------
    // Which browser pages may connect (server; Cross-Site WebSocket Hijacking, RFC 6455 §10.2).

    /**
     * Origins admitted besides the server's own, e.g. {@code https://app.example.com} or
     * {@code https://*.example.com} (its subdomains), compared exactly by scheme, host and port;
     * {@code null} admits sandboxed pages. Empty (the default): pages served by this server only,
     * and on a loopback server only from a loopback name (against DNS rebinding). Clients that
     * send no {@code Origin} (non-browsers) are always admitted; others get 403.
     */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** @throws IllegalArgumentException for a pattern that is not scheme://host[:port] or {@code null} */
    public WebSocketOptions withAllowedOrigins(List<String> patterns) {
        WebSocketOptions c = copy();
        c.allowedOrigins = List.copyOf(patterns);
        c.anyOrigin = false;
        dev.duplex.websocket.internal.Origins.check(c.allowedOrigins);
        return c;
    }

    public WebSocketOptions withAllowedOrigins(String... patterns) {
        return withAllowedOrigins(List.of(patterns));
    }

    /** Whether every page of every site may connect. */
    public boolean anyOriginAllowed() {
        return anyOrigin;
    }

    /** Lets every page of every site connect: only for servers that authenticate without cookies and know why. */
    public WebSocketOptions withAnyOriginAllowed() {
        WebSocketOptions c = copy();
        c.allowedOrigins = List.of();
        c.anyOrigin = true;
        return c;
    }

    // ------------------------------------------------------------------------------------------------

    private static long sizeOrNoLimit(String name, long value) {
        if (value == 0 || value < -1) {
            throw new IllegalArgumentException(name + " must be positive or -1 (no limit): " + value);
        }
        return value;
    }

    private static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }

    private static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }

    private static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }

    private static Duration zeroOrPositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero (off) or positive: " + d);
        }
        return d;
    }

    private static int windowBits(String name, int bits) {
        if (bits < 8 || bits > 15) {
            throw new IllegalArgumentException(name + " must be 8-15 (RFC 7692 §7.1.2): " + bits);
        }
        return bits;
    }
}
