package dev.duplex.protocol.extension.deflate;

import dev.duplex.protocol.ByteOutput;
import java.nio.ByteBuffer;

/** Raw DEFLATE (RFC 1951) for one connection's outgoing messages. Not thread safe. */
interface MessageCompressor {
    /**
     * Compresses {@code input}'s remaining bytes (consuming them) and appends the result to
     * {@code out}, ending with a sync flush, so the output ends in {@code 00 00 ff ff}.
     */
    void compress(ByteBuffer input, ByteOutput out);

    /** Forgets the sliding window (no context takeover). */
    void reset();

    /** Releases native memory now rather than when the garbage collector gets to it. */
    void end();
}
