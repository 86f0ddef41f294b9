package dev.duplex.client;

/**
 * When to try to connect again: after a delay drawn by the full-jitter {@link Backoff} over the
 * failed attempts in a row, at least the hub's {@code retryAfter}, at least until an open
 * {@link CircuitBreaker} lets a trial through; and not at all once {@code maxAttempts} attempts in
 * a row failed. An attempt fails when it ends before {@code connected}. Pure (randomness and time
 * come with the back-off and the breaker); not thread safe: the client's loop owns it.
 */
final class RetryPolicy {
    private static final int MAX_BACKOFF_EXPONENT = 30;

    private final Backoff backoff;
    private final CircuitBreaker breaker;
    private final int maxAttempts;
    private int failedAttempts;

    /** @param maxAttempts failed attempts in a row before giving up; 0 for no limit */
    RetryPolicy(Backoff backoff, CircuitBreaker breaker, int maxAttempts) {
        this.backoff = backoff;
        this.breaker = breaker;
        this.maxAttempts = maxAttempts;
    }

    /** Failed attempts since the last connection that opened (or since {@link #restart()}). */
    int failedAttempts() {
        return failedAttempts;
    }

    /** The application starts the client again after it stopped: the count starts over (the breaker remembers). */
    void restart() {
        failedAttempts = 0;
    }

    /** A connection opened. */
    void onOpen() {
        failedAttempts = 0;
        breaker.onSuccess();
    }

    /** A connection or an attempt ended; {@code opened} says whether it had reached {@code connected}. */
    void onEnded(boolean opened) {
        if (!opened) {
            failedAttempts++;
            breaker.onFailure();
        }
    }

    /** True when {@code maxAttempts} attempts in a row have failed: time to stop. */
    boolean exhausted() {
        return maxAttempts > 0 && failedAttempts >= maxAttempts;
    }

    /** How long to wait before the next attempt. Draws from the back-off's randomness. */
    long delayMillis(Long retryAfter) {
        long delay = backoff.delayMillis(Math.min(Math.max(0, failedAttempts - 1), MAX_BACKOFF_EXPONENT));
        if (retryAfter != null) {
            delay = Math.max(delay, retryAfter);
        }
        return Math.max(delay, breaker.delayMillis());
    }
}
