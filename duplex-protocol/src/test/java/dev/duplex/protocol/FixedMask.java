package dev.duplex.protocol;

import java.util.Random;

/** A mask source that always returns the same key, to reproduce the RFC's masked examples byte for byte. */
public final class FixedMask extends Random {
    private static final long serialVersionUID = 1L;
    private final int key;

    public FixedMask(int key) {
        this.key = key;
    }

    @Override
    public int nextInt() {
        return key;
    }
}
