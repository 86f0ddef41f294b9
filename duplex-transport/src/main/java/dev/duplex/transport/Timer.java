package dev.duplex.transport;

/** A one-shot task scheduled with {@link EventLoop#schedule}. */
public interface Timer {
    /**
     * Prevents the task from running. Safe from any thread.
     *
     * @return {@code true} if this call cancelled the task; {@code false} if it had already run,
     *     was already cancelled, or its loop has shut down
     */
    boolean cancel();
}
