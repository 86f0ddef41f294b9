package dev.duplex.bench.engine;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * A fast, predictable mask source for benchmarks only. RFC 6455 §5.3 requires unpredictable mask
 * keys, so real clients use {@link java.security.SecureRandom}; this keeps the key generator's own
 * cost (a SecureRandom call is far slower than masking a small frame) out of the framing figures.
 */
final class FastMaskSource extends Random {
    private static final long serialVersionUID = 1L;

    private final SplittableRandom random;

    FastMaskSource(long seed) {
        super(seed);
        random = new SplittableRandom(seed);
    }

    @Override
    protected int next(int bits) {
        return random.nextInt() >>> (32 - bits);
    }

    @Override
    public int nextInt() {
        return random.nextInt();
    }
}
