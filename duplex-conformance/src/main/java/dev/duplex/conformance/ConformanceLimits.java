package dev.duplex.conformance;

import dev.duplex.protocol.Limits;

/** Limits for conformance runs, larger than the library's conservative defaults. */
public final class ConformanceLimits {
    /** Autobahn section 9 sends 16 MiB messages and up to 65,536 fragments per message. */
    public static final Limits AUTOBAHN = Limits.defaults()
            .withMaxFrameBytes(16L << 20)
            .withMaxMessageBytes(16L << 20)
            .withMaxFragments(65_536);

    private ConformanceLimits() {
    }
}
