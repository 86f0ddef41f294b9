package dev.duplex.client;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a client's callbacks (listener calls and future completions) on the application's executor
 * one at a time, in submission order, even when that executor is a pool. Marks the running thread so
 * that blocking on one of the client's futures inside a callback fails loudly instead of deadlocking
 * (see {@link ClientFuture}). A task the executor refuses (e.g. after it was shut down) runs on the
 * calling thread rather than being lost. Thread safe.
 */
final class CallbackExecutor implements Executor {
    private static final System.Logger LOG = System.getLogger(DuplexClient.class.getName());
    private static final ThreadLocal<Object> RUNNING_FOR = new ThreadLocal<>();

    private final Executor delegate;
    private final Object owner;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    CallbackExecutor(Executor delegate, Object owner) {
        this.delegate = delegate;
        this.owner = owner;
    }

    /** True when the current thread is running a callback of {@code owner}. */
    static boolean inCallbackOf(Object owner) {
        return RUNNING_FOR.get() == owner;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                delegate.execute(this::drain);
            } catch (RejectedExecutionException e) {
                drain();
            }
        }
    }

    private void drain() {
        Object previous = RUNNING_FOR.get();
        RUNNING_FOR.set(owner);
        try {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.WARNING, "A DuplexClient listener threw; the client goes on", t);
                }
            }
        } finally {
            if (previous == null) {
                RUNNING_FOR.remove();
            } else {
                RUNNING_FOR.set(previous);
            }
            scheduled.set(false);
            if (!tasks.isEmpty()) {
                schedule();
            }
        }
    }
}
