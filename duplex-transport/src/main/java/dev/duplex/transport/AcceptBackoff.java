package dev.duplex.transport;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Decides what an acceptor does after {@code accept()} fails. Running out of file descriptors
 * ({@code EMFILE}/{@code ENFILE}) leaves the pending connection in the backlog, so the listening
 * socket stays readable and retrying at once would spin the loop at 100% CPU: accepting pauses
 * instead, giving closing connections time to free descriptors. Other errors (a peer that reset
 * while queued, say) concern one connection, so accepting continues at once, unless they keep
 * coming, in which case a short pause again keeps the loop from spinning.
 *
 * <p>Each failure episode, which ends with the next successful accept, is logged once.
 *
 * <p>Not thread-safe: used only on the acceptor's loop thread.
 */
final class AcceptBackoff {
    static final long EXHAUSTED_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long REPEATED_FAILURE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    static final int REPEATED_FAILURE_THRESHOLD = 8;

    /**
     * What to do about one failure.
     *
     * @param pauseNanos how long to stop accepting; 0 means carry on accepting now
     * @param log whether this failure is the first of its episode and should be logged
     * @param descriptorsExhausted whether the process or system ran out of file descriptors
     */
    record Decision(long pauseNanos, boolean log, boolean descriptorsExhausted) {}

    private int consecutiveFailures;

    Decision onFailure(IOException e) {
        boolean first = consecutiveFailures == 0;
        consecutiveFailures++;
        if (isDescriptorExhaustion(e)) {
            return new Decision(EXHAUSTED_PAUSE_NANOS, first, true);
        }
        long pause = consecutiveFailures >= REPEATED_FAILURE_THRESHOLD ? REPEATED_FAILURE_PAUSE_NANOS : 0;
        return new Decision(pause, first, false);
    }

    void onSuccess() {
        consecutiveFailures = 0;
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }

    /**
     * Whether {@code e} reports {@code EMFILE} ("Too many open files") or {@code ENFILE} ("Too many
     * open files in system"). The JDK exposes errno only through the message, so the message is
     * what is matched.
     */
    static boolean isDescriptorExhaustion(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.contains("Too many open files")) {
                return true;
            }
        }
        return false;
    }
}
