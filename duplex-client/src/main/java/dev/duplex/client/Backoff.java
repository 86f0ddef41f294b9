package dev.duplex.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Exponential back-off with full jitter (the "Full Jitter" of the AWS architecture blog): the delay
 * before retry number {@code attempt} (0-based) is uniform in {@code [0, min(max, base·2^attempt)]}.
 * Spreading reconnects over the whole window keeps a crowd of clients that lost the same server from
 * coming back in one wave. Pure: no clock, no threads; the {@link Random} is injected so tests are
 * deterministic. Not thread safe (the client calls it from one thread).
 */
final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private final Random random;

    Backoff(Duration base, Duration max, Random random) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(max, "max");
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("The base delay must be positive: " + base);
        }
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("The maximum delay (" + max + ") must not be below the base delay (" + base + ")");
        }
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The upper bound of the delay before retry {@code attempt}: {@code min(max, base·2^attempt)}, without overflow. */
    long ceilingMillis(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must not be negative: " + attempt);
        }
        // base << attempt stays positive while attempt is below the number of leading zeros.
        if (attempt >= Long.numberOfLeadingZeros(baseMillis)) {
            return maxMillis;
        }
        return Math.min(maxMillis, baseMillis << attempt);
    }

    /** A random delay in {@code [0, ceilingMillis(attempt)]}, both ends included. */
    long delayMillis(int attempt) {
        long ceiling = ceilingMillis(attempt);
        return random.nextLong(ceiling == Long.MAX_VALUE ? ceiling : ceiling + 1);
    }

    long baseMillis() {
        return baseMillis;
    }

    long maxMillis() {
        return maxMillis;
    }
}
