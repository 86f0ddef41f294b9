package dev.duplex.hub.session;

/** The hub's two clocks, passed in so that tests can move time instead of waiting for it. */
public interface HubClock {
    /** Monotonic nanoseconds, for intervals. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch, for token expiry and timestamps. */
    long currentTimeMillis();

    /** The system's clocks. */
    static HubClock system() {
        return SystemClock.INSTANCE;
    }

    /** {@link HubClock#system()}. */
    enum SystemClock implements HubClock {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    }
}
