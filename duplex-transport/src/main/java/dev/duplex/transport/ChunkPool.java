package dev.duplex.transport;

import java.nio.ByteBuffer;

/**
 * Write-queue chunks of one event loop. Chunks are direct so the socket write needs no copy into
 * a temporary direct buffer. At most {@link #MAX_POOLED} free chunks are kept (1 MiB per loop);
 * chunks released beyond that are dropped and freed by the GC, so a burst of backpressure does not
 * pin its peak memory forever.
 *
 * <p>Not thread-safe: used only on its loop's thread.
 */
final class ChunkPool {
    static final int CHUNK_BYTES = 16 * 1024;
    static final int MAX_POOLED = 64;

    private final Chunk[] free = new Chunk[MAX_POOLED];
    private int freeCount;

    /** An empty chunk: position 0, limit 0 (nothing to read yet). */
    Chunk acquire() {
        if (freeCount > 0) {
            Chunk chunk = free[--freeCount];
            free[freeCount] = null;
            return chunk;
        }
        return new Chunk(ByteBuffer.allocateDirect(CHUNK_BYTES));
    }

    void release(Chunk chunk) {
        chunk.next = null;
        chunk.buffer.position(0).limit(0);
        if (freeCount < MAX_POOLED) {
            free[freeCount++] = chunk;
        }
    }

    int freeCount() {
        return freeCount;
    }

    /**
     * A buffer plus the link of the queue it is in. The buffer is always in read mode: bytes
     * between position and limit are queued, appends go between limit and capacity.
     */
    static final class Chunk {
        final ByteBuffer buffer;
        Chunk next;

        Chunk(ByteBuffer buffer) {
            this.buffer = buffer.limit(0);
        }

        /** Copies as much of {@code src} as fits; returns the number of bytes copied. */
        int append(ByteBuffer src) {
            int end = buffer.limit();
            int n = Math.min(src.remaining(), buffer.capacity() - end);
            buffer.limit(end + n);
            buffer.put(end, src, src.position(), n);
            src.position(src.position() + n);
            return n;
        }

        boolean isFull() {
            return buffer.limit() == buffer.capacity();
        }
    }
}
