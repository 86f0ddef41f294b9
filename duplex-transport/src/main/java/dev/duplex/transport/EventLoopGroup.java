package dev.duplex.transport;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of {@link EventLoop}s, each a thread named {@code duplex-loop-N} (N numbers loops
 * across all groups of the process, so thread dumps stay unambiguous). Connections are spread
 * over the loops round robin.
 *
 * <p>Thread-safe.
 */
public final class EventLoopGroup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventLoopGroup.class.getName());
    private static final AtomicInteger LOOP_NUMBERS = new AtomicInteger();
    /** How long close() waits for all loop threads together before giving up on them. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final List<EventLoop> loops;
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Starts {@code loops} event loops.
     *
     * @param loops number of loops; zero or negative means {@link Runtime#availableProcessors()}
     */
    public EventLoopGroup(int loops) {
        int count = loops > 0 ? loops : Runtime.getRuntime().availableProcessors();
        List<EventLoop> started = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                started.add(new EventLoop("duplex-loop-" + LOOP_NUMBERS.getAndIncrement()));
            }
        } catch (RuntimeException | Error e) {
            started.forEach(EventLoop::shutdown);
            throw e;
        }
        this.loops = List.copyOf(started);
        LOG.log(Level.DEBUG, "Started {0} event loops", count);
    }

    /** The next loop in round-robin order. */
    public EventLoop next() {
        return loops.get(Math.floorMod(nextIndex.getAndIncrement(), loops.size()));
    }

    /** All loops of the group, in a fixed order; immutable. */
    public List<EventLoop> loops() {
        return loops;
    }

    /**
     * Stops every loop, closing every channel they own ({@link ConnectionHandler#onClosed} runs
     * for each open connection), and waits up to 10 seconds in total for the threads to end.
     * Idempotent. Called on one of the group's own loop threads it cannot wait for that thread,
     * so it only waits for the others.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        loops.forEach(EventLoop::shutdown);
        long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        for (EventLoop loop : loops) {
            try {
                long left = deadline - System.nanoTime();
                if (!loop.inEventLoop() && !loop.awaitTermination(Math.max(1, left), TimeUnit.NANOSECONDS)) {
                    LOG.log(Level.WARNING, "Event loop {0} did not stop within 10 s; a handler may be blocking it", loop);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.log(Level.DEBUG, "Stopped {0} event loops", loops.size());
    }
}
