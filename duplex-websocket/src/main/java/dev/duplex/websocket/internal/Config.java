package dev.duplex.websocket.internal;

import dev.duplex.protocol.Limits;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import dev.duplex.protocol.handshake.HttpLimits;
import dev.duplex.transport.TransportOptions;
import dev.duplex.websocket.WebSocketOptions;

/**
 * A server's or client's {@link WebSocketOptions} in the forms the engine and the transport take,
 * converted once rather than per connection. Immutable.
 */
public final class Config {
    /** The transport's hard limit stays this far above the admission limit, so over-limit clients still get a 503. */
    static final int HARD_LIMIT_HEADROOM = 1_000;

    final WebSocketOptions options;
    final Limits limits;
    final HttpLimits httpLimits;
    /** Null when compression is off. */
    final DeflateOptions compression;
    final Origins origins;

    public Config(WebSocketOptions options) {
        this.options = options;
        this.limits = new Limits(options.maxFrameBytes(), options.maxMessageBytes(), options.maxFragments(),
                options.streamingThresholdBytes());
        this.httpLimits = new HttpLimits(options.maxHeadBytes(), options.maxRequestLineBytes(), options.maxHeaderCount());
        this.compression = !options.compression() ? null : new DeflateOptions(options.compressionLevel(),
                options.compressionThresholdBytes(), options.localContextTakeover(), options.peerContextTakeover(),
                options.localMaxWindowBits(), options.peerMaxWindowBits());
        this.origins = Origins.of(options.allowedOrigins(), options.anyOriginAllowed());
    }

    /** The socket options; a server's hard connection limit is {@link #HARD_LIMIT_HEADROOM} above its admission limit. */
    public TransportOptions transport() {
        return new TransportOptions(options.backlog(),
                (int) Math.min(Integer.MAX_VALUE, (long) options.maxConnections() + HARD_LIMIT_HEADROOM),
                options.readBufferBytes(), options.writeHighWatermarkBytes(), options.tcpNoDelay(),
                options.socketSendBufferBytes(), options.socketReceiveBufferBytes(), options.connectTimeout(),
                options.tlsHandshakeTimeout());
    }

    public WebSocketOptions options() {
        return options;
    }
}
