package dev.duplex.protocol;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A number of bytes that many connections reserve from and give back, so that together they stay
 * within a bound no single connection's limit can give. A server uses one for incomplete inbound
 * messages (each connection may legitimately buffer up to its message limit, so thousands of peers
 * each sending one large message slowly could exhaust the heap, CVE-2014-0193 class: the
 * connection whose message would pass the budget fails with 1013 instead), and one for compression
 * context kept between messages. Thread safe.
 */
public final class MemoryBudget {
    private static final MemoryBudget UNLIMITED = new MemoryBudget(Long.MAX_VALUE);

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    /** @param limitBytes the bound; 0 refuses every reservation */
    public MemoryBudget(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("A memory budget cannot be negative: " + limitBytes);
        }
        this.limit = limitBytes;
    }

    /** A budget that never refuses (for clients and tests). */
    public static MemoryBudget unlimited() {
        return UNLIMITED;
    }

    /** Reserves {@code bytes} if they fit under the limit; returns whether they did. */
    public boolean tryReserve(long bytes) {
        if (limit == Long.MAX_VALUE) {
            return true;
        }
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

    public void release(long bytes) {
        if (limit != Long.MAX_VALUE) {
            used.addAndGet(-bytes);
        }
    }

    /** Bytes reserved now. */
    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
