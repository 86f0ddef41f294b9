package dev.duplex.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Arrays;

/**
 * Bytes a socket has not yet accepted, copied into a linked list of pooled chunks. A connection
 * creates its queue only when the socket first refuses bytes and drops it once drained, so idle
 * connections hold no write memory at all.
 *
 * <p>Not thread-safe: used only on its connection's loop thread.
 */
final class WriteQueue {
    /** Gathering writes per flush; bounds the time one busy connection holds the loop. */
    private static final int MAX_WRITES_PER_FLUSH = 16;

    private final ChunkPool pool;
    private ChunkPool.Chunk head;
    private ChunkPool.Chunk tail;

    WriteQueue(ChunkPool pool) {
        this.pool = pool;
    }

    boolean isEmpty() {
        return head == null;
    }

    /** Copies every remaining byte of {@code src}; returns the number copied. */
    long append(ByteBuffer src) {
        long copied = 0;
        while (src.hasRemaining()) {
            if (tail == null || tail.isFull()) {
                ChunkPool.Chunk chunk = pool.acquire();
                if (tail == null) {
                    head = chunk;
                } else {
                    tail.next = chunk;
                }
                tail = chunk;
            }
            copied += tail.append(src);
        }
        return copied;
    }

    /**
     * Writes queued bytes with gathering writes until the socket stops taking them or the queue is
     * empty. Drained chunks go back to the pool.
     *
     * @param gather the loop's reusable array for the gathering write
     * @return bytes written
     */
    long flushTo(GatheringByteChannel channel, ByteBuffer[] gather) throws IOException {
        long total = 0;
        for (int round = 0; round < MAX_WRITES_PER_FLUSH && head != null; round++) {
            int count = 0;
            long requested = 0;
            for (ChunkPool.Chunk c = head; c != null && count < gather.length; c = c.next) {
                gather[count++] = c.buffer;
                requested += c.buffer.remaining();
            }
            long written;
            try {
                written = channel.write(gather, 0, count);
            } finally {
                Arrays.fill(gather, 0, count, null);
            }
            total += written;
            while (head != null && !head.buffer.hasRemaining()) {
                ChunkPool.Chunk done = head;
                head = head.next;
                pool.release(done);
            }
            if (head == null) {
                tail = null;
            }
            if (written < requested) {
                break; // the socket buffer is full; wait for OP_WRITE
            }
        }
        return total;
    }

    /** Returns every chunk to the pool; queued bytes are dropped. */
    void release() {
        while (head != null) {
            ChunkPool.Chunk c = head;
            head = head.next;
            pool.release(c);
        }
        tail = null;
    }
}
