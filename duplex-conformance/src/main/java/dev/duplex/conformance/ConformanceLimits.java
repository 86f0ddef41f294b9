package dev.duplex.conformance;

import dev.duplex.protocol.Limits;
import dev.duplex.protocol.extension.deflate.DeflateOptions;

/** Limits and compression settings for conformance runs, larger or more eager than the library's defaults. */
public final class ConformanceLimits {
    /** Autobahn section 9 sends 16 MiB messages and up to 65,536 fragments per message. */
    public static final Limits AUTOBAHN = Limits.defaults()
            .withMaxFrameBytes(16L << 20)
            .withMaxMessageBytes(16L << 20)
            .withMaxFragments(65_536);

    /**
     * A send queue for echoing Autobahn's 16 MiB messages, several in flight (the library's default,
     * 4 MiB, would close such an echo with 1008).
     */
    public static final long AUTOBAHN_QUEUE_BYTES = 64L << 20;

    /**
     * permessage-deflate for Autobahn sections 12 and 13: the library's defaults (level 6, no
     * context takeover either way, 15-bit windows unless the peer asks for less) but every message
     * compressed, so 16-octet messages exercise the compressor too.
     */
    public static final DeflateOptions AUTOBAHN_COMPRESSION = DeflateOptions.defaults().withThresholdBytes(0);

    private ConformanceLimits() {
    }

    /**
     * {@link #AUTOBAHN_COMPRESSION}, with context takeover allowed both ways or not: what
     * {@code duplex serve --compression [--compression-context-takeover]} and
     * {@code duplex autobahn-client --compression} use.
     */
    public static DeflateOptions autobahnCompression(boolean contextTakeover) {
        return AUTOBAHN_COMPRESSION.withLocalContextTakeover(contextTakeover).withPeerContextTakeover(contextTakeover);
    }
}
