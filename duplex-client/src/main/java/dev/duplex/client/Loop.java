package dev.duplex.client;

/**
 * Where a client's state lives: tasks handed over run there one at a time, in the order they were
 * handed over, and timers fire there. {@link ClientLoop} is the real one (a thread of the client's
 * own); tests drive the parts of the client with a manual one, without threads or sleeps.
 */
interface Loop {

    /** A scheduled task that may still be cancelled. */
    @FunctionalInterface
    interface Timer {
        /** Cancels the task if it has not run yet; does nothing otherwise. */
        void cancel();
    }

    /** A timer that never fires: what a loop that has stopped hands out. */
    Timer NO_TIMER = () -> { };

    /**
     * Hands {@code task} to the loop. Callable from any thread.
     *
     * @return false, without running it, once the loop has stopped (the client was closed)
     */
    boolean execute(Runnable task);

    /** Runs {@code task} on the loop after {@code delayMillis} (as soon as possible for 0 or less). */
    Timer schedule(long delayMillis, Runnable task);

    /** Cancels {@code timer}, if there is one. */
    static void cancel(Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }
}
