package dev.duplex.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One thread that owns one {@link Selector}, a task queue and a timer wheel. Every channel
 * registered with the loop is read, written and closed only on this thread, which is what lets
 * {@link TcpConnection} go without locks.
 *
 * <p>Thread-safe where stated: {@link #execute}, {@link #schedule}, {@link #inEventLoop} and
 * {@link #nanoTime} may be called from any thread; {@link #scratch} only from the loop thread.
 */
public final class EventLoop implements Executor {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    /** Tasks run per iteration, so a flood of submissions cannot starve socket I/O. */
    private static final int MAX_TASKS_PER_ITERATION = 4096;
    private static final int GATHER_LIMIT = 64;

    private final String name;
    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** True while the loop is (about to be) blocked in select; execute() wakes it only then. */
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final TimerWheel timers;
    private final ChunkPool chunkPool = new ChunkPool();
    private final ByteBuffer[] gather = new ByteBuffer[GATHER_LIMIT];
    private volatile long nanoTime;
    private boolean clockStale;
    private final Consumer<SelectionKey> onReady = this::handleReady;
    private volatile boolean shuttingDown;
    private volatile boolean terminated;
    private ByteBuffer readBuffer;
    private ByteBuffer scratch;
    private TlsBuffers tlsBuffers;

    EventLoop(String name) {
        this.name = name;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not open a selector for event loop " + name
                    + "; the process may be out of file descriptors", e);
        }
        this.nanoTime = System.nanoTime();
        this.timers = new TimerWheel(nanoTime);
        // Non-daemon: a server's loops are what keep the process alive until it is closed.
        this.thread = new Thread(this::run, name);
        thread.start();
    }

    /**
     * Runs {@code task} on this loop's thread, after the I/O of the current iteration. Safe from
     * any thread; wakes a sleeping selector only when the loop is actually blocked in it. While
     * the loop is shutting down, only its own thread may still submit (so {@code onClosed}
     * handlers can), and those tasks run before the thread ends.
     *
     * @throws RejectedExecutionException if the loop has been shut down
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (shuttingDown && !inEventLoop()) {
            throw rejected();
        }
        tasks.offer(task);
        if (terminated && tasks.remove(task)) {
            throw rejected();
        }
        if (!inEventLoop() && sleeping.compareAndSet(true, false)) {
            selector.wakeup();
        }
    }

    /** Whether the calling thread is this loop's thread. */
    public boolean inEventLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * The loop's clock: {@link System#nanoTime()} read once per loop iteration, as the selector
     * wakes (before the first ready channel is handled). Code on the loop thread should prefer it
     * to reading the clock itself. Other threads may read it but see a value up to one iteration
     * old.
     */
    public long nanoTime() {
        return nanoTime;
    }

    /**
     * Runs {@code task} once on this loop's thread after {@code delay}, rounded up to the timer
     * wheel's 10 ms tick. Safe from any thread.
     *
     * @throws RejectedExecutionException if the loop has been shut down
     */
    public Timer schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        ScheduledTimer timer = new ScheduledTimer(this, task);
        long delayNanos = Math.max(0, unit.toNanos(delay));
        if (inEventLoop()) {
            timers.schedule(timer, nanoTime + delayNanos, nanoTime);
        } else {
            long deadline = System.nanoTime() + delayNanos;
            execute(() -> timers.schedule(timer, deadline, nanoTime));
        }
        return timer;
    }

    /**
     * A direct buffer of at least {@code capacity} bytes, cleared, for code on this loop thread to
     * assemble output in before {@link TcpConnection#write}. The same buffer is returned to every
     * caller on this loop, so it is valid only until the caller returns control to the loop.
     *
     * @throws IllegalStateException if called from another thread
     */
    public ByteBuffer scratch(int capacity) {
        requireInLoop("EventLoop.scratch");
        if (scratch == null || scratch.capacity() < capacity) {
            // Grow to a power of two so a slowly rising demand does not reallocate every time.
            int size = capacity > (1 << 30) ? capacity : Math.max(4096, Integer.highestOneBit(Math.max(1, capacity - 1)) << 1);
            scratch = ByteBuffer.allocateDirect(size);
        }
        return scratch.clear();
    }

    /** The thread's name, {@code duplex-loop-N}. */
    @Override
    public String toString() {
        return name;
    }

    // ---- package-private services for connections, acceptors and timers ----

    Selector selector() {
        return selector;
    }

    TimerWheel timers() {
        return timers;
    }

    ChunkPool chunkPool() {
        return chunkPool;
    }

    ByteBuffer[] gatherArray() {
        return gather;
    }

    /** The loop's TLS buffers, created when its first TLS connection needs them. */
    TlsBuffers tlsBuffers() {
        if (tlsBuffers == null) {
            tlsBuffers = new TlsBuffers();
        }
        return tlsBuffers;
    }

    /** The loop's shared read buffer, grown to at least {@code size} bytes, cleared and limited to size. */
    ByteBuffer readBuffer(int size) {
        if (readBuffer == null || readBuffer.capacity() < size) {
            readBuffer = ByteBuffer.allocateDirect(size);
        }
        return readBuffer.clear().limit(size);
    }

    void requireInLoop(String method) {
        if (!inEventLoop()) {
            throw new IllegalStateException(method + " must be called on event loop thread " + name + " but was called on "
                    + Thread.currentThread().getName() + "; submit the call with loop().execute(...)");
        }
    }

    /** Like {@link #execute} but returns false instead of throwing once the loop is shut down. */
    boolean executeIfRunning(Runnable task) {
        try {
            execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "A task on " + name + " threw; the loop continues", t);
        }
    }

    /**
     * Makes channels closed on this iteration release their descriptors now: the selector only
     * closes a registered channel's descriptor when it next deregisters cancelled keys. Call it
     * from a task, never from a selection-key handler: it refills the selected-key set that the
     * loop may be iterating.
     */
    void flushDeregistrations() {
        try {
            selector.selectNow();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "selectNow failed on " + name, e);
        }
    }

    /** Closes this loop's connections accepted by {@code server}. Runs on the loop thread. */
    void closeConnectionsOf(TcpServer server) {
        for (SelectionKey key : selector.keys().toArray(new SelectionKey[0])) {
            if (key.attachment() instanceof TcpConnection connection && connection.server() == server) {
                connection.closeOnShutdown();
            }
        }
    }

    void shutdown() {
        shuttingDown = true;
        selector.wakeup();
    }

    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        if (inEventLoop()) {
            return false;
        }
        thread.join(Math.max(1, unit.toMillis(timeout)));
        return !thread.isAlive();
    }

    boolean isShuttingDown() {
        return shuttingDown;
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("Event loop " + name
                + " is shut down and runs no more tasks; submit work before closing its EventLoopGroup");
    }

    private void run() {
        try {
            while (!shuttingDown) {
                try {
                    iterate();
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "Unexpected failure in event loop " + name + "; the loop continues", t);
                }
            }
        } finally {
            closeEverything();
        }
    }

    private void iterate() throws IOException {
        long timeoutMillis = timers.isEmpty() ? 0 : timers.millisToNextTick(nanoTime);
        sleeping.set(true);
        // The selector hands each ready key to onReady as it finds it: unlike selectedKeys(), no
        // set entry and no iterator are allocated per ready key, so a busy loop makes no garbage.
        clockStale = true;
        if (!tasks.isEmpty() || shuttingDown) {
            sleeping.set(false);
            selector.selectNow(onReady);
        } else {
            selector.select(onReady, timeoutMillis);
            sleeping.set(false);
        }
        refreshClock();
        runTasks();
        timers.advance(nanoTime);
    }

    /** Reads the clock once per iteration: before the first ready key is handled, or after select returns. */
    private void refreshClock() {
        if (clockStale) {
            clockStale = false;
            nanoTime = System.nanoTime();
        }
    }

    private void handleReady(SelectionKey key) {
        refreshClock();
        // An earlier handler in this round may have closed this channel.
        if (!key.isValid()) {
            return;
        }
        Object attachment = key.attachment();
        if (attachment instanceof TcpConnection connection) {
            connection.onSelected(key.readyOps());
        } else if (attachment instanceof ServerAcceptor acceptor) {
            acceptor.onAcceptable();
        }
    }

    private void runTasks() {
        for (int i = 0; i < MAX_TASKS_PER_ITERATION; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            runSafely(task);
        }
    }

    private void closeEverything() {
        try {
            for (SelectionKey key : selector.keys().toArray(new SelectionKey[0])) {
                Object attachment = key.attachment();
                if (attachment instanceof TcpConnection connection) {
                    connection.closeOnShutdown();
                } else if (attachment instanceof ServerAcceptor acceptor) {
                    acceptor.closeChannel();
                }
            }
            runTasks();
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "Failure while closing the channels of event loop " + name, t);
        } finally {
            terminated = true;
            runTasks();
            try {
                selector.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "Closing the selector of " + name + " failed", e);
            }
        }
    }
}
