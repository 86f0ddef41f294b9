package dev.duplex.loadgen;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The process's descriptor budget. Every connection costs one descriptor; the machines this runs
 * on allow 20,000 per process (hard limit), so one generator holds at most about 19,800
 * connections, and several generator processes (with different {@code --source-addresses}) are
 * the way past it.
 */
final class FileDescriptors {
    /** Descriptors kept free for the JVM itself (JARs, selectors, wake-up pipes, logs). */
    static final int MARGIN = 200;

    private FileDescriptors() {
    }

    /**
     * @throws IllegalArgumentException when {@code connections} more descriptors would not fit
     *     under {@code ulimit -n} minus the margin, with a sentence on what to do
     */
    static void check(long connections) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof com.sun.management.UnixOperatingSystemMXBean unix)) {
            return; // not a Unix JVM: nothing to check against
        }
        long max = unix.getMaxFileDescriptorCount();
        long inUse = unix.getOpenFileDescriptorCount();
        long available = max - inUse - MARGIN;
        if (connections > available) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "%,d connections need %,d file descriptors, but this process may open %,d (ulimit -n), already holds %,d "
                            + "and keeps %d spare: use at most %,d connections per process, and run several generator "
                            + "processes (each with its own --source-addresses for connect) to go beyond",
                    connections, connections, max, inUse, MARGIN, Math.max(0, available)));
        }
    }
}
