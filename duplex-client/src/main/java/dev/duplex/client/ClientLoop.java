package dev.duplex.client;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that owns a client's state (see {@link DuplexClient} for why a thread of its own).
 * Tasks run in the order they were handed over, also across threads: a task handed over after
 * another one returned runs after it.
 *
 * <p>{@link #stopAfter} lets the tasks already handed over run (each fails its call with
 * {@link ClientClosedException}, so no future is left hanging) and drops the timers; nothing new
 * is accepted after it.
 */
final class ClientLoop implements Loop {
    private static final System.Logger LOG = System.getLogger(DuplexClient.class.getName());

    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    ClientLoop(String threadName) {
        this.executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, threadName);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        // Timers not yet due are dropped at shutdown; tasks handed over (due at once) still run.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public boolean execute(Runnable task) {
        try {
            executor.execute(() -> runSafely(task));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @Override
    public Timer schedule(long delayMillis, Runnable task) {
        try {
            ScheduledFuture<?> future = executor.schedule(() -> runSafely(task), Math.max(0, delayMillis),
                    TimeUnit.MILLISECONDS);
            return () -> future.cancel(false);
        } catch (RejectedExecutionException e) {
            return NO_TIMER;
        }
    }

    /** True on the loop's own thread (where a callback runs when the callback executor runs tasks inline). */
    private boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs {@code lastTask} (the client's close), then stops: the tasks handed over before it still
     * run, nothing is accepted after it, timers are dropped. Waits up to {@code waitMillis} for all
     * that, except on the loop itself (a callback that runs inline on it), which cannot wait for
     * itself: the loop finishes right after the current task.
     */
    void stopAfter(Runnable lastTask, long waitMillis) {
        execute(lastTask);
        executor.shutdown();
        if (inLoop()) {
            return;
        }
        try {
            if (!executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "DuplexClient.close: the client thread did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "DuplexClient internal error", t);
        }
    }
}
