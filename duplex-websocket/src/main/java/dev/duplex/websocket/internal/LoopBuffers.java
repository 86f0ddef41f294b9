package dev.duplex.websocket.internal;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.extension.deflate.CompressionPool;
import java.util.Arrays;

/**
 * The output buffers and compression state of one event loop, which its sessions borrow. A
 * session that writes borrows an output for the duration of one engine call, or of a whole read
 * batch, and gives it back flushed; a session a listener writes to meanwhile borrows another. So
 * no output is ever shared by two sessions at once, and bytes cannot leave on the wrong socket.
 * The pool grows to the deepest nesting seen (usually two outputs) and then allocates nothing.
 *
 * <p>Used only by its event loop thread.
 */
final class LoopBuffers {
    /** Starting size of each output; it grows for large messages and shrinks back after them. */
    private static final int OUTPUT_BYTES = 64 * 1024;

    private ByteOutput[] free = new ByteOutput[2];
    private int freeCount;
    private CompressionPool compression;

    /** An empty output the caller owns until it gives it back with {@link #release}. */
    ByteOutput acquire() {
        return freeCount == 0 ? new ByteOutput(OUTPUT_BYTES, true) : free[--freeCount];
    }

    /** Takes back an output; bytes still in it are forgotten. */
    void release(ByteOutput out) {
        out.clear();
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, freeCount * 2);
        }
        free[freeCount++] = out;
    }

    /** The loop's pooled compression state, created when the first connection negotiates compression. */
    CompressionPool compression() {
        if (compression == null) {
            compression = new CompressionPool();
        }
        return compression;
    }
}
