package dev.duplex.protocol;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes that incomplete inbound messages may hold, shared by many connections. Each connection may
 * legitimately buffer up to its message limit, so thousands of peers each sending one large
 * message slowly could together exhaust the heap (CVE-2014-0193 class); with a shared budget, the
 * connection whose message would pass it fails with 1013 (try again later) instead. Thread safe.
 */
public final class MessageMemoryBudget {
    private static final MessageMemoryBudget UNLIMITED = new MessageMemoryBudget(Long.MAX_VALUE);

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public MessageMemoryBudget(long limitBytes) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("The message memory budget must be positive: " + limitBytes);
        }
        this.limit = limitBytes;
    }

    /** A budget that never refuses (for clients and tests). */
    public static MessageMemoryBudget unlimited() {
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
