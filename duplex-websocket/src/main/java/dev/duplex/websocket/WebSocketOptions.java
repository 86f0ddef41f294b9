package dev.duplex.websocket;

import dev.duplex.protocol.Limits;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import dev.duplex.protocol.handshake.HttpLimits;
import dev.duplex.transport.TlsConfig;
import dev.duplex.transport.TransportOptions;
import dev.duplex.websocket.internal.Origins;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

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

    // The engine's and the transport's settings are kept in their own option records, which check
    // them; the transport's connection limit is not used (see maxConnections).
    private Limits limits = Limits.defaults();
    private HttpLimits http = HttpLimits.defaults();
    private boolean compression = COMPRESSION;
    private DeflateOptions deflate = DeflateOptions.defaults();
    private TransportOptions transport = TRANSPORT;
    private List<String> tlsProtocols = TlsConfig.DEFAULT_PROTOCOLS;
    private long maxQueuedBytes = MAX_QUEUED_BYTES;
    private Duration handshakeTimeout = HANDSHAKE_TIMEOUT;
    private Duration idleTimeout = IDLE_TIMEOUT;
    private Duration pingInterval = PING_INTERVAL;
    private Duration pongTimeout = PONG_TIMEOUT;
    private Duration closeTimeout = CLOSE_TIMEOUT;
    private int maxPingsPerSecond = MAX_PINGS_PER_SECOND;
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

    /** A copy with {@code change} applied: every {@code with…} method is one. */
    private WebSocketOptions with(Consumer<WebSocketOptions> change) {
        WebSocketOptions c = new WebSocketOptions();
        c.limits = limits;
        c.http = http;
        c.compression = compression;
        c.deflate = deflate;
        c.transport = transport;
        c.tlsProtocols = tlsProtocols;
        c.maxQueuedBytes = maxQueuedBytes;
        c.handshakeTimeout = handshakeTimeout;
        c.idleTimeout = idleTimeout;
        c.pingInterval = pingInterval;
        c.pongTimeout = pongTimeout;
        c.closeTimeout = closeTimeout;
        c.maxPingsPerSecond = maxPingsPerSecond;
        c.maxConnections = maxConnections;
        c.maxConnectionsPerAddress = maxConnectionsPerAddress;
        c.maxPendingHandshakes = maxPendingHandshakes;
        c.compressionBudgetBytes = compressionBudgetBytes;
        c.messageMemoryBytes = messageMemoryBytes;
        c.maxHttpBodyBytes = maxHttpBodyBytes;
        c.allowedOrigins = allowedOrigins;
        c.anyOrigin = anyOrigin;
        change.accept(c);
        return c;
    }

    // ------------------------------------------------------------------------------------------------
    // Inbound messages. A limit exceeded fails the connection with 1009 before any byte beyond it is buffered.

    /** Largest message, summed over its fragments (inflated bytes when compressed); -1: no limit (not for servers). */
    public long maxMessageBytes() {
        return limits.maxMessageBytes();
    }

    /** Sets the largest message and the largest frame to {@code bytes}; -1: no limit. */
    public WebSocketOptions withMaxMessageBytes(long bytes) {
        Limits changed = limits.withMaxMessageBytes(bytes).withMaxFrameBytes(bytes);
        return with(c -> c.limits = changed);
    }

    /** Largest payload of a single frame; -1: no limit beyond {@link #maxMessageBytes()}. */
    public long maxFrameBytes() {
        return limits.maxFrameBytes();
    }

    public WebSocketOptions withMaxFrameBytes(long bytes) {
        Limits changed = limits.withMaxFrameBytes(bytes);
        return with(c -> c.limits = changed);
    }

    /** Most frames one message may span; -1: no limit. */
    public int maxFragments() {
        return limits.maxFragments();
    }

    public WebSocketOptions withMaxFragments(int count) {
        Limits changed = limits.withMaxFragments(count);
        return with(c -> c.limits = changed);
    }

    /**
     * Messages up to this size are delivered whole; a larger one arrives in parts as its bytes do
     * ({@link WebSocketListener#onMessagePart}), never held in memory at once; -1: always whole.
     */
    public long streamingThresholdBytes() {
        return limits.streamingThresholdBytes();
    }

    public WebSocketOptions withStreamingThresholdBytes(long bytes) {
        Limits changed = limits.withStreamingThresholdBytes(bytes);
        return with(c -> c.limits = changed);
    }

    // ------------------------------------------------------------------------------------------------
    // The opening handshake's HTTP head, checked as its bytes arrive.

    /** The whole head, request line to blank line; exceeded: 431. */
    public int maxHeadBytes() {
        return http.maxHeadBytes();
    }

    /** Sets the largest head; the request line may not be longer than it either. */
    public WebSocketOptions withMaxHeadBytes(int bytes) {
        HttpLimits changed = http.withMaxHeadBytes(bytes).withMaxRequestLineBytes(Math.min(bytes, http.maxRequestLineBytes()));
        return with(c -> c.http = changed);
    }

    /** The request line (server); exceeded: 414. */
    public int maxRequestLineBytes() {
        return http.maxRequestLineBytes();
    }

    public WebSocketOptions withMaxRequestLineBytes(int bytes) {
        HttpLimits changed = http.withMaxRequestLineBytes(bytes);
        return with(c -> c.http = changed);
    }

    /** Header lines; exceeded: 431. */
    public int maxHeaderCount() {
        return http.maxHeaderCount();
    }

    public WebSocketOptions withMaxHeaderCount(int count) {
        HttpLimits changed = http.withMaxHeaderCount(count);
        return with(c -> c.http = changed);
    }

    // ------------------------------------------------------------------------------------------------
    // Sending and timers.

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
        long value = positive("maxQueuedBytes", bytes);
        return with(c -> c.maxQueuedBytes = value);
    }

    /** The whole opening handshake; exceeded: 408 (server) or a failed connect (client). */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public WebSocketOptions withHandshakeTimeout(Duration value) {
        Duration checked = positive("handshakeTimeout", value);
        return with(c -> c.handshakeTimeout = checked);
    }

    /** Close with 1001 after this long without any frame from the peer; zero: never. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    public WebSocketOptions withIdleTimeout(Duration value) {
        Duration checked = zeroOrPositive("idleTimeout", value);
        return with(c -> c.idleTimeout = checked);
    }

    /** Send a ping after this long without a frame from the peer; zero: no pings. */
    public Duration pingInterval() {
        return pingInterval;
    }

    public WebSocketOptions withPingInterval(Duration value) {
        Duration checked = zeroOrPositive("pingInterval", value);
        return with(c -> c.pingInterval = checked);
    }

    /** After a heartbeat ping, how long to wait for any frame before dropping the connection as dead (1006). */
    public Duration pongTimeout() {
        return pongTimeout;
    }

    public WebSocketOptions withPongTimeout(Duration value) {
        Duration checked = positive("pongTimeout", value);
        return with(c -> c.pongTimeout = checked);
    }

    /** After sending Close, how long to wait for the peer's before dropping the connection (1006 to the application). */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    public WebSocketOptions withCloseTimeout(Duration value) {
        Duration checked = positive("closeTimeout", value);
        return with(c -> c.closeTimeout = checked);
    }

    /**
     * Pings a peer may send per second; exceeded: 1008. While the peer is not reading, only its
     * latest unanswered ping is answered (RFC 6455 §5.5.3), so pings cannot grow the send queue.
     */
    public int maxPingsPerSecond() {
        return maxPingsPerSecond;
    }

    public WebSocketOptions withMaxPingsPerSecond(int count) {
        int value = (int) positive("maxPingsPerSecond", count);
        return with(c -> c.maxPingsPerSecond = value);
    }

    // ------------------------------------------------------------------------------------------------
    // permessage-deflate (RFC 7692). "Local" is our compressor, "peer" the other side's.

    /** Whether permessage-deflate is on: a server accepts clients' offers, a client offers it. */
    public boolean compression() {
        return compression;
    }

    public WebSocketOptions withCompression(boolean on) {
        return with(c -> c.compression = on);
    }

    /** zlib level, 1–9. */
    public int compressionLevel() {
        return deflate.level();
    }

    public WebSocketOptions withCompressionLevel(int level) {
        DeflateOptions changed = deflate.withLevel(level);
        return with(c -> c.deflate = changed);
    }

    /** Messages shorter than this are sent uncompressed. */
    public int compressionThresholdBytes() {
        return deflate.thresholdBytes();
    }

    public WebSocketOptions withCompressionThresholdBytes(int bytes) {
        DeflateOptions changed = deflate.withThresholdBytes(bytes);
        return with(c -> c.deflate = changed);
    }

    /** Whether our compressor may keep its window across messages (better ratio, ~260 KiB of native memory). */
    public boolean localContextTakeover() {
        return deflate.localContextTakeover();
    }

    /** Whether we let the peer keep its window (our decompressor then lives as long as the connection, ~44 KiB). */
    public boolean peerContextTakeover() {
        return deflate.peerContextTakeover();
    }

    /** Context takeover for our compressor and the peer's; a server holds it within {@link #compressionBudgetBytes()}. */
    public WebSocketOptions withContextTakeover(boolean local, boolean peer) {
        DeflateOptions changed = deflate.withLocalContextTakeover(local).withPeerContextTakeover(peer);
        return with(c -> c.deflate = changed);
    }

    /** The largest LZ77 window our compressor uses, 8–15. */
    public int localMaxWindowBits() {
        return deflate.localMaxWindowBits();
    }

    /** The largest window we ask the peer to use, 8–15 (15: no request). */
    public int peerMaxWindowBits() {
        return deflate.peerMaxWindowBits();
    }

    public WebSocketOptions withMaxWindowBits(int local, int peer) {
        DeflateOptions changed = deflate.withLocalMaxWindowBits(local).withPeerMaxWindowBits(peer);
        return with(c -> c.deflate = changed);
    }

    // ------------------------------------------------------------------------------------------------
    // Sockets and TLS.

    /** Queued bytes past which a server stops reading from the connection until the queue drained. */
    public long writeHighWatermarkBytes() {
        return transport.writeHighWatermarkBytes();
    }

    public WebSocketOptions withWriteHighWatermarkBytes(long bytes) {
        TransportOptions changed = transport.withWriteHighWatermarkBytes(bytes);
        return with(c -> c.transport = changed);
    }

    /** Size of each event loop's read buffer, and so the most bytes one read delivers. */
    public int readBufferBytes() {
        return transport.readBufferBytes();
    }

    public WebSocketOptions withReadBufferBytes(int bytes) {
        TransportOptions changed = transport.withReadBufferBytes(bytes);
        return with(c -> c.transport = changed);
    }

    /** Whether Nagle's algorithm is off (by default it is: whole messages are written at once). */
    public boolean tcpNoDelay() {
        return transport.tcpNoDelay();
    }

    public WebSocketOptions withTcpNoDelay(boolean on) {
        TransportOptions changed = transport.withTcpNoDelay(on);
        return with(c -> c.transport = changed);
    }

    /** {@code SO_SNDBUF}; 0: the OS default. */
    public int socketSendBufferBytes() {
        return transport.socketSendBufferBytes();
    }

    /** {@code SO_RCVBUF}; 0: the OS default. */
    public int socketReceiveBufferBytes() {
        return transport.socketReceiveBufferBytes();
    }

    /** Sets {@code SO_SNDBUF} and {@code SO_RCVBUF}; 0 keeps the OS default (and its auto-tuning). */
    public WebSocketOptions withSocketBufferBytes(int send, int receive) {
        TransportOptions changed = transport.withSocketSendBufferBytes(send).withSocketReceiveBufferBytes(receive);
        return with(c -> c.transport = changed);
    }

    /** The kernel's accept queue (server). */
    public int backlog() {
        return transport.backlog();
    }

    public WebSocketOptions withBacklog(int value) {
        TransportOptions changed = transport.withBacklog(value);
        return with(c -> c.transport = changed);
    }

    /** How long a TCP connect may take (client). */
    public Duration connectTimeout() {
        return transport.connectTimeout();
    }

    public WebSocketOptions withConnectTimeout(Duration value) {
        TransportOptions changed = transport.withConnectTimeout(value);
        return with(c -> c.transport = changed);
    }

    /** How long a wss:// connection may take from TCP connect to a completed TLS handshake. */
    public Duration tlsHandshakeTimeout() {
        return transport.tlsHandshakeTimeout();
    }

    public WebSocketOptions withTlsHandshakeTimeout(Duration value) {
        TransportOptions changed = transport.withTlsHandshakeTimeout(value);
        return with(c -> c.transport = changed);
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
        List<String> value = List.of(protocols);
        return with(c -> c.tlsProtocols = value);
    }

    // ------------------------------------------------------------------------------------------------
    // Admission and shared memory (server). Above a connection limit the client gets an HTTP answer
    // it can act on, with Retry-After, instead of a dropped socket.

    /** Open connections in all states; exceeded: 503. The transport's hard limit is 1,000 above it. */
    public int maxConnections() {
        return maxConnections;
    }

    public WebSocketOptions withMaxConnections(int count) {
        int value = (int) positive("maxConnections", count);
        return with(c -> c.maxConnections = value);
    }

    /** Open connections from one remote IP address; exceeded: 429. */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    public WebSocketOptions withMaxConnectionsPerAddress(int count) {
        int value = (int) positive("maxConnectionsPerAddress", count);
        return with(c -> c.maxConnectionsPerAddress = value);
    }

    /** Connections that have not finished the opening handshake (or whose HTTP request is being answered); exceeded: 503. */
    public int maxPendingHandshakes() {
        return maxPendingHandshakes;
    }

    public WebSocketOptions withMaxPendingHandshakes(int count) {
        int value = (int) positive("maxPendingHandshakes", count);
        return with(c -> c.maxPendingHandshakes = value);
    }

    /**
     * Memory all connections together may keep for compression context between messages;
     * connections negotiated once it is spent compress without context takeover.
     */
    public long compressionBudgetBytes() {
        return compressionBudgetBytes;
    }

    public WebSocketOptions withCompressionBudgetBytes(long bytes) {
        long value = zeroOrPositive("compressionBudgetBytes", bytes);
        return with(c -> c.compressionBudgetBytes = value);
    }

    /** Memory incomplete inbound messages of all connections together may hold; a connection that would pass it gets 1013. */
    public long messageMemoryBytes() {
        return messageMemoryBytes;
    }

    public WebSocketOptions withMessageMemoryBytes(long bytes) {
        long value = positive("messageMemoryBytes", bytes);
        return with(c -> c.messageMemoryBytes = value);
    }

    /** The largest plain HTTP request body (see {@link WebSocketServer#http}); exceeded: 413. */
    public int maxHttpBodyBytes() {
        return maxHttpBodyBytes;
    }

    public WebSocketOptions withMaxHttpBodyBytes(int bytes) {
        int value = (int) zeroOrPositive("maxHttpBodyBytes", bytes);
        return with(c -> c.maxHttpBodyBytes = value);
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
        List<String> value = List.copyOf(patterns);
        Origins.check(value);
        return with(c -> {
            c.allowedOrigins = value;
            c.anyOrigin = false;
        });
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
        return with(c -> {
            c.allowedOrigins = List.of();
            c.anyOrigin = true;
        });
    }

    // ------------------------------------------------------------------------------------------------

    private static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }

    private static long zeroOrPositive(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0: " + value);
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
}
