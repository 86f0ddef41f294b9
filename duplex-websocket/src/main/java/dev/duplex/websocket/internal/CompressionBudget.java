package dev.duplex.websocket.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide allowance of memory for compression context kept between messages. With context
 * takeover each connection holds its own zlib state (about 300 KiB for a 15-bit window), so without
 * a bound a reconnect storm could exhaust native memory (compare cometd#1001). Thread safe.
 */
final class CompressionBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    CompressionBudget(long limit) {
        this.limit = limit;
    }

    /** Reserves {@code bytes} if they fit; returns whether they did. */
    boolean tryReserve(long bytes) {
        while (true) {
            long current = used.get();
            if (current + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }
}
