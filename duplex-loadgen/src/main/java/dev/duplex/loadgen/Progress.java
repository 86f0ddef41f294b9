package dev.duplex.loadgen;

import java.io.PrintStream;
import java.util.function.LongFunction;

/**
 * The live progress line: at most one line per second on stderr, built by the scenario from the
 * seconds elapsed since the run started. Only the thread that waits calls it.
 */
final class Progress {
    private final PrintStream err;
    private final long startNanos;
    private final LongFunction<String> line;
    private long nextPrint;

    Progress(PrintStream err, long startNanos, LongFunction<String> line) {
        this.err = err;
        this.startNanos = startNanos;
        this.line = line;
        this.nextPrint = startNanos + 1_000_000_000L;
    }

    void maybePrint() {
        long now = System.nanoTime();
        if (now >= nextPrint) {
            long elapsed = Math.round((now - startNanos) / 1e9);
            err.printf("[%3ds] %s%n", elapsed, line.apply(now));
            err.flush();
            while (nextPrint <= now) {
                nextPrint += 1_000_000_000L;
            }
        }
    }

    /** Sleeps until {@code deadline}, printing as it goes. */
    void sleepUntil(long deadline) {
        while (System.nanoTime() < deadline) {
            maybePrint();
            long wake = Math.min(deadline, nextPrint);
            LoadRun.parkUntil(wake);
        }
        maybePrint();
    }
}
