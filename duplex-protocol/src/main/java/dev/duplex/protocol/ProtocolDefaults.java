package dev.duplex.protocol;

/**
 * The engine's defaults, in one place, each with its reason: what {@link Limits#defaults()},
 * {@link dev.duplex.protocol.handshake.HttpLimits#defaults()} and
 * {@link dev.duplex.protocol.extension.deflate.DeflateOptions#defaults()} hold. The WebSocket
 * layer starts from these (its {@code WebSocketOptions}), and so does {@code duplex serve}.
 */
public final class ProtocolDefaults {
    /** 1 MiB: keeps a hostile peer from pinning more per connection; exceeded: 1009. */
    public static final long MAX_MESSAGE_BYTES = 1 << 20;
    /** As large as a message: a frame limit below it would only refuse unfragmented messages. */
    public static final long MAX_FRAME_BYTES = MAX_MESSAGE_BYTES;
    /** 1,024: many tiny fragments cost bookkeeping far beyond their bytes (CVE-2026-48779 class); exceeded: 1009. */
    public static final int MAX_FRAGMENTS = 1024;
    /** -1 (never): messages are delivered whole; streaming is for applications that ask for it. */
    public static final long STREAMING_THRESHOLD_BYTES = Limits.NO_LIMIT;

    /** 16 KiB: browsers send under 2 KiB, cookies add a few; exceeded: 431. */
    public static final int MAX_HEAD_BYTES = 16 * 1024;
    /** 8 KiB: a request line with a long query; exceeded: 414. */
    public static final int MAX_REQUEST_LINE_BYTES = 8 * 1024;
    /** 100: compare CVE-2024-37890, where 2,000 headers crashed a server; exceeded: 431. */
    public static final int MAX_HEADER_COUNT = 100;

    /** zlib level 6: zlib's own balance of speed and ratio. */
    public static final int COMPRESSION_LEVEL = 6;
    /** 256 bytes: below it a deflate block costs more than it saves. */
    public static final int COMPRESSION_THRESHOLD_BYTES = 256;
    /** No context takeover: zlib state is pooled per event loop instead of ~300 KiB per connection. */
    public static final boolean CONTEXT_TAKEOVER = false;
    /** 15 bits: zlib's window; smaller windows compress worse for the same CPU. */
    public static final int MAX_WINDOW_BITS = 15;

    private ProtocolDefaults() {
    }
}
