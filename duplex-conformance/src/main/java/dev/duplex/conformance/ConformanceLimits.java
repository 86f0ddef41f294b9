package dev.duplex.conformance;

import dev.duplex.websocket.WebSocketOptions;

/** Limits and compression settings for conformance runs, larger or more eager than the library's defaults. */
public final class ConformanceLimits {
    /** Autobahn section 9 sends 16 MiB messages (and frames of that size). */
    public static final long AUTOBAHN_MESSAGE_BYTES = 16L << 20;

    /** Autobahn section 9 sends up to 65,536 fragments per message. */
    public static final int AUTOBAHN_FRAGMENTS = 65_536;

    /**
     * A send queue for echoing Autobahn's 16 MiB messages, several in flight (the library's default,
     * 4 MiB, would close such an echo with 1008).
     */
    public static final long AUTOBAHN_QUEUE_BYTES = 64L << 20;

    private ConformanceLimits() {
    }

    /** {@code options} with Autobahn's message, frame and fragment sizes allowed. */
    public static WebSocketOptions autobahn(WebSocketOptions options) {
        return options.withMaxMessageBytes(AUTOBAHN_MESSAGE_BYTES).withMaxFragments(AUTOBAHN_FRAGMENTS);
    }

    /**
     * permessage-deflate for Autobahn sections 12 and 13: the library's defaults (level 6, 15-bit
     * windows unless the peer asks for less) but every message compressed, so 16-octet messages
     * exercise the compressor too, with context takeover allowed both ways or not: what
     * {@code duplex serve --compression [--compression-context-takeover]} and
     * {@code duplex autobahn-client --compression} use.
     */
    public static WebSocketOptions autobahnCompression(WebSocketOptions options, boolean contextTakeover) {
        return options.withCompression(true).withCompressionThresholdBytes(0)
                .withContextTakeover(contextTakeover, contextTakeover);
    }
}
