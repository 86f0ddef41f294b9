package dev.duplex.loadgen;

import java.util.Random;

/**
 * Mask keys for the load generator's client connections: a xorshift generator with no
 * synchronisation and no allocation, instead of {@link java.security.SecureRandom}.
 *
 * <p>RFC 6455 §5.3 asks clients for unpredictable masks so that a hostile page cannot make a
 * browser write chosen bytes through a proxy that misreads the stream (cache poisoning). A load
 * generator sends only its own payloads, is not scripted by anyone, and talks to a server under
 * test on loopback, so mask entropy protects nothing here; what matters is that masking costs the
 * generator nothing measurable. Never use this class for a client that carries untrusted data.
 *
 * <p>Not thread safe: one instance per event loop.
 */
final class FastMaskSource extends Random {
    private static final long serialVersionUID = 1L;
    private long state;

    FastMaskSource(long seed) {
        super(seed);
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    @Override
    protected int next(int bits) {
        long x = state;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        state = x;
        return (int) (x >>> (64 - bits));
    }

    @Override
    public synchronized void setSeed(long seed) {
        // Random's constructor calls this before our field exists; keep it harmless.
        super.setSeed(seed);
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }
}
