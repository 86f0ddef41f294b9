package dev.duplex.websocket;

import dev.duplex.protocol.Limits;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import dev.duplex.protocol.handshake.HttpLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * How each connection behaves, server or client side. Immutable; change with the {@code with…}
 * copies. All defaults are finite except the timers a plain echo must not impose.
 *
 * @param limits inbound frame and message limits: {@link Limits#defaults()}, 1 MiB messages.
 *     Exceeded: close 1009.
 * @param httpLimits bounds on the handshake's HTTP head: {@link HttpLimits#defaults()}, 16 KiB.
 *     Exceeded: 414 or 431.
 * @param maxQueuedBytes most bytes a connection may have waiting to be written; default 4 MiB,
 *     four messages of the default largest size. A send that would pass it returns false and closes
 *     the connection with 1008, so a peer that stops reading cannot grow memory without bound.
 *     Independently, once a connection's queue passes the transport's write high watermark (1 MiB
 *     by default) the server reads nothing more from it until it drained, so what a peer sends
 *     cannot make the server queue replies it does not read.
 * @param handshakeTimeout the whole opening handshake, however slowly it dribbles in; default 10 s.
 *     Exceeded: 408 (server) or a failed connect (client).
 * @param idleTimeout close with 1001 after this long without any frame from the peer; default
 *     {@link Duration#ZERO}: never.
 * @param pingInterval send a ping after this long without a frame from the peer; default
 *     {@link Duration#ZERO}: no pings.
 * @param pongTimeout after a heartbeat ping, how long to wait for any frame before dropping the
 *     connection as dead (1006); default 10 s.
 * @param closeTimeout after sending Close, how long to wait for the peer's before dropping the
 *     connection (1006 to the application); default 5 s.
 * @param compression permessage-deflate options, or null (default) for no compression.
 * @param maxPingsPerSecond pings a peer may send per second; default 100. Exceeded: close 1008.
 *     While the peer is not reading, only its latest unanswered ping is answered (RFC 6455 §5.5.3),
 *     so pings cannot grow the send queue.
 */
public record WebSocketOptions(
        Limits limits,
        HttpLimits httpLimits,
        long maxQueuedBytes,
        Duration handshakeTimeout,
        Duration idleTimeout,
        Duration pingInterval,
        Duration pongTimeout,
        Duration closeTimeout,
        DeflateOptions compression,
        int maxPingsPerSecond) {

    private static final WebSocketOptions DEFAULTS = new WebSocketOptions(
            Limits.defaults(), HttpLimits.defaults(), 4L << 20,
            Duration.ofSeconds(10), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(5), null, 100);

    public WebSocketOptions {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(httpLimits, "httpLimits");
        if (maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("maxQueuedBytes must be positive: " + maxQueuedBytes);
        }
        requirePositive("handshakeTimeout", handshakeTimeout);
        requireNotNegative("idleTimeout", idleTimeout);
        requireNotNegative("pingInterval", pingInterval);
        requirePositive("pongTimeout", pongTimeout);
        requirePositive("closeTimeout", closeTimeout);
        if (maxPingsPerSecond <= 0) {
            throw new IllegalArgumentException("maxPingsPerSecond must be positive: " + maxPingsPerSecond);
        }
    }

    public static WebSocketOptions defaults() {
        return DEFAULTS;
    }

    public WebSocketOptions withLimits(Limits value) {
        return new WebSocketOptions(value, httpLimits, maxQueuedBytes, handshakeTimeout, idleTimeout, pingInterval, pongTimeout, closeTimeout, compression, maxPingsPerSecond);
    }

    /** Shorthand for a copy with {@code limits().withMaxMessageBytes(bytes)} and frames up to the same size. */
    public WebSocketOptions withMaxMessageBytes(long bytes) {
        return withLimits(limits.withMaxMessageBytes(bytes).withMaxFrameBytes(bytes));
    }

    public WebSocketOptions withHttpLimits(HttpLimits value) {
        return new WebSocketOptions(limits, value, maxQueuedBytes, handshakeTimeout, idleTimeout, pingInterval, pongTimeout, closeTimeout, compression, maxPingsPerSecond);
    }

    public WebSocketOptions withMaxQueuedBytes(long value) {
        return new WebSocketOptions(limits, httpLimits, value, handshakeTimeout, idleTimeout, pingInterval, pongTimeout, closeTimeout, compression, maxPingsPerSecond);
    }

    public WebSocketOptions withHandshakeTimeout(Duration value) {
        return new WebSocketOptions(limits, httpLimits, maxQueuedBytes, value, idleTimeout, pingInterval, pongTimeout, closeTimeout, compression, maxPingsPerSecond);
    }

    public WebSocketOptions withIdleTimeout(Duration value) {
        return new WebSocketOptions(limits, httpLimits, maxQueuedBytes, handshakeTimeout, value, pingInterval, pongTimeout, closeTimeout, compression, maxPingsPerSecond);
    }

    public WebSocketOptions withPingInterval(Duration value) {
        return new WebSocketOptions(limits, httpLimits, maxQueuedBytes, handshakeTimeout, idleTimeout, value, pongTimeout, closeTimeout, compression, maxPingsPerSecond);
    }

    public WebSocketOptions withPongTimeout(Duration value) {
        return new WebSocketOptions(limits, httpLimits, maxQueuedBytes, handshakeTimeout, idleTimeout, pingInterval, value, closeTimeout, compression, maxPingsPerSecond);
    }

    public WebSocketOptions withCloseTimeout(Duration value) {
        return new WebSocketOptions(limits, httpLimits, maxQueuedBytes, handshakeTimeout, idleTimeout, pingInterval, pongTimeout, value, compression, maxPingsPerSecond);
    }

    /**
     * Turns permessage-deflate on (RFC 7692) with these options, or off with null (the default: it
     * costs CPU and, with context takeover, memory). A server accepts clients' offers; a client
     * offers it.
     */
    public WebSocketOptions withCompression(DeflateOptions value) {
        return new WebSocketOptions(limits, httpLimits, maxQueuedBytes, handshakeTimeout, idleTimeout, pingInterval, pongTimeout, closeTimeout, value, maxPingsPerSecond);
    }

    /** Most pings a peer may send per second before it is closed with 1008 (a ping flood). */
    public WebSocketOptions withMaxPingsPerSecond(int value) {
        return new WebSocketOptions(limits, httpLimits, maxQueuedBytes, handshakeTimeout, idleTimeout, pingInterval, pongTimeout, closeTimeout, compression, value);
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    private static void requireNotNegative(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero (off) or positive: " + d);
        }
    }
}
