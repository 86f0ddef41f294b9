package dev.duplex.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The output side of one {@link TcpConnection}: bytes go straight to the socket while nothing is
 * queued, and what the socket does not take waits in a {@link WriteQueue} that exists only until
 * it drains. It counts the bytes waiting ({@link TcpConnection#bufferedBytes()}) and remembers
 * whether they passed the high watermark, so the connection can report writability once they
 * drained.
 *
 * <p>Used only on the connection's loop thread, except {@link #bufferedBytes()}.
 */
final class Outbound {
    private final SocketChannel channel;
    private final ChunkPool pool;
    private final long highWatermark;
    private WriteQueue queue;
    private volatile long bufferedBytes;
    private boolean aboveWatermark;

    Outbound(SocketChannel channel, ChunkPool pool, long highWatermark) {
        this.channel = channel;
        this.pool = pool;
        this.highWatermark = highWatermark;
    }

    boolean isEmpty() {
        return queue == null;
    }

    /** Bytes queued and not yet written; safe from any thread. */
    long bufferedBytes() {
        return bufferedBytes;
    }

    boolean isWritable() {
        return bufferedBytes <= highWatermark;
    }

    /**
     * Writes {@code src} to the socket, or behind what is queued, queueing what the socket does not
     * take; {@code src} is consumed. Returns whether the queue came into being (the caller now
     * waits for the socket to be writable).
     */
    boolean write(ByteBuffer src) throws IOException {
        if (queue == null) {
            channel.write(src);
            if (!src.hasRemaining()) {
                return false;
            }
        }
        return enqueue(src);
    }

    /** Gathering form of {@link #write(ByteBuffer)}. */
    boolean write(ByteBuffer[] srcs) throws IOException {
        if (queue == null) {
            channel.write(srcs);
        }
        boolean started = false;
        for (ByteBuffer src : srcs) {
            if (src.hasRemaining()) {
                started |= enqueue(src);
            }
        }
        return started;
    }

    private boolean enqueue(ByteBuffer src) {
        boolean started = queue == null;
        if (started) {
            queue = new WriteQueue(pool);
        }
        long total = bufferedBytes + queue.append(src);
        bufferedBytes = total;
        if (total > highWatermark) {
            aboveWatermark = true;
        }
        return started;
    }

    /** Writes what the socket takes of the queue; returns whether it drained (and is gone). */
    boolean flush(ByteBuffer[] gather) throws IOException {
        bufferedBytes -= queue.flushTo(channel, gather);
        if (!queue.isEmpty()) {
            return false;
        }
        queue = null;
        return true;
    }

    /** Whether the queue passed the high watermark since it was last empty; the signal is taken. */
    boolean takeDrainedAfterWatermark() {
        boolean was = aboveWatermark;
        aboveWatermark = false;
        return was;
    }

    /** The connection closed: queued bytes are dropped and their chunks go back to the pool. */
    void release() {
        if (queue != null) {
            queue.release();
            queue = null;
        }
        bufferedBytes = 0;
    }
}
