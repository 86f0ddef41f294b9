package dev.duplex.hub.limits;

/**
 * A token bucket: {@code burst} tokens at most, refilled at {@code perSecond}. Time comes from the
 * caller (nanoseconds), so it is exact in tests. Thread-safe.
 */
public final class TokenBucket {
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last;

    public TokenBucket(double perSecond, int burst, long nowNanos) {
        this.perNano = perSecond / 1e9;
        this.capacity = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes one token if there is one. */
    public synchronized boolean tryAcquire(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Milliseconds until a token is available (0 if one is). */
    public synchronized long millisUntilAvailable(long nowNanos) {
        refill(nowNanos);
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano / 1e6);
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - last;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * perNano);
            last = nowNanos;
        }
    }
}
