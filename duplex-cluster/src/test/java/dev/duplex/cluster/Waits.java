package dev.duplex.cluster;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, the one way every test and helper of this module waits:
 * either by polling (every 20 ms) a condition that nothing signals, or on a monitor whose owner
 * calls {@code notifyAll()} on every change.
 */
final class Waits {
    private static final long POLL_MS = 20;

    private Waits() {
    }

    /** A condition that may throw (a read of Redis, of a node, of a log file). */
    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} every 20 ms until it holds (true) or {@code timeout} passed without it (false). */
    static boolean eventually(Duration timeout, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(POLL_MS);
        }
        return true;
    }

    /** Polls {@code condition} every 20 ms; fails with {@code what} if it did not hold within {@code timeout}. */
    static void await(Duration timeout, Supplier<String> what, Condition condition) throws Exception {
        if (!eventually(timeout, condition)) {
            throw new AssertionError("Not within " + timeout + ": " + what.get());
        }
    }

    /**
     * Waits on {@code monitor}, which the caller holds, until {@code condition} holds; fails with
     * {@code what} (read when the time is up) after {@code timeout}. The monitor's owner must call
     * {@code notifyAll()} whenever the condition may have changed.
     */
    static void onMonitor(Object monitor, Duration timeout, BooleanSupplier condition, Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting for " + what.get());
            }
            monitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
    }
}
