package dev.duplex.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A task from {@link EventLoop#schedule}. The wheel links are touched only on the loop thread;
 * the run/cancel race between threads is settled by one compare-and-set on {@code state}, so a
 * task runs at most once and {@link #cancel()} reports truthfully whether it prevented the run.
 *
 * <p>Thread-safe.
 */
final class ScheduledTimer extends TimerNode implements Timer {
    private static final int PENDING = 0;
    private static final int DONE = 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ScheduledTimer.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventLoop loop;
    private final Runnable task;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = PENDING;

    ScheduledTimer(EventLoop loop, Runnable task) {
        this.loop = loop;
        this.task = task;
    }

    @Override
    void onTimer() {
        if (STATE.compareAndSet(this, PENDING, DONE)) {
            loop.runSafely(task);
        }
    }

    /** {@inheritDoc} */
    @Override
    public boolean cancel() {
        if (!STATE.compareAndSet(this, PENDING, DONE)) {
            return false;
        }
        // Unlink now rather than let the dead entry ride the wheel (and pin `task`) until its tick.
        if (loop.inEventLoop()) {
            loop.timers().cancel(this);
        } else {
            loop.executeIfRunning(() -> loop.timers().cancel(this));
        }
        return true;
    }
}
