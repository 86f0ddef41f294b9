package dev.duplex.client;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
    /** The thread of our own when the application gave no executor, else null. */
    private final ExecutorService ownThread;
    private final Object owner;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /** Runs callbacks on {@code delegate}. */
    CallbackExecutor(Executor delegate, Object owner) {
        this(delegate, null, owner);
    }

    private CallbackExecutor(Executor delegate, ExecutorService ownThread, Object owner) {
        this.delegate = delegate;
        this.ownThread = ownThread;
        this.owner = owner;
    }

    /** Runs callbacks on {@code given}, or, when it is null, on a daemon thread of its own named {@code threadName}. */
    static CallbackExecutor create(Executor given, String threadName, Object owner) {
        if (given != null) {
            return new CallbackExecutor(given, owner);
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, threadName);
            t.setDaemon(true);
            return t;
        });
        return new CallbackExecutor(thread, thread, owner);
    }

    /**
     * The client is closed: a thread of its own stops once the callbacks queued have run, and this
     * waits up to {@code waitMillis} for that (unless called from one of those callbacks). An
     * application's executor is the application's to stop.
     */
    void shutdown(long waitMillis) {
        if (ownThread == null) {
            return;
        }
        ownThread.shutdown();
        if (!inCallbackOf(owner)) {
            try {
                ownThread.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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

    /** Completes {@code future} here, in order with the listener calls handed over before. */
    <T> void complete(CompletableFuture<T> future, T value) {
        execute(() -> future.complete(value));
    }

    /** Fails {@code future} here, in order with the listener calls handed over before. */
    void fail(CompletableFuture<?> future, Throwable error) {
        execute(() -> future.completeExceptionally(error));
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
