package dev.duplex.loadgen;

import dev.duplex.protocol.Limits;
import dev.duplex.transport.EventLoopGroup;
import dev.duplex.transport.TransportOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One run of a scenario: the event loops (few: {@code --threads}), their {@link LoopContext}s,
 * the target and the error counts. Closing it closes every connection (with a Close handshake
 * first, bounded in time) and stops the loops.
 */
final class LoadRun implements AutoCloseable {
    /** How long collecting results from the loops may take. */
    private static final long LOOP_TASK_SECONDS = 10;

    final Target target;
    final EventLoopGroup group;
    final List<LoopContext> loops;
    final Errors errors = new Errors();
    final TransportOptions transport;
    /**
     * Messages of any size are delivered as parts (streaming threshold 0), so the engine never
     * assembles a message: no per-message buffer, whatever the size or how reads split it.
     */
    final Limits limits;
    final long handshakeTimeoutMillis = 10_000;
    final AtomicInteger attempted = new AtomicInteger();
    final AtomicInteger settled = new AtomicInteger();
    final AtomicInteger succeeded = new AtomicInteger();
    volatile boolean stopping;
    /** No WebSocket handshake: the peer is a bare TCP echo (set before connecting). */
    boolean rawTcp;
    /**
     * Subprotocols offered in the handshake (set before connecting); when not empty, a server that
     * selects none fails the handshake ({@code handshake_no_subprotocol}).
     */
    List<String> subprotocols = List.of();

    LoadRun(Target target, int threads, int outputBytes, long maxMessageBytes) {
        this.target = target;
        this.transport = TransportOptions.defaults().withConnectTimeout(Duration.ofSeconds(10));
        this.limits = Limits.defaults()
                .withMaxFrameBytes(maxMessageBytes)
                .withMaxMessageBytes(maxMessageBytes)
                .withStreamingThresholdBytes(0);
        this.group = new EventLoopGroup(threads);
        List<LoopContext> contexts = new ArrayList<>();
        for (int i = 0; i < group.loops().size(); i++) {
            contexts.add(new LoopContext(group.loops().get(i), i, outputBytes));
        }
        this.loops = List.copyOf(contexts);
        onEachLoop(ctx -> ctx.threadId = Thread.currentThread().getId());
    }

    LoopContext loopFor(int connectionIndex) {
        return loops.get(connectionIndex % loops.size());
    }

    void settle(boolean ok) {
        if (ok) {
            succeeded.incrementAndGet();
        }
        settled.incrementAndGet();
    }

    /** Runs {@code action} on every loop's thread and waits for all of them. */
    void onEachLoop(Consumer<LoopContext> action) {
        collect(ctx -> {
            action.accept(ctx);
            return null;
        });
    }

    /** Runs {@code action} on every loop's thread and returns the results in loop order. */
    <T> List<T> collect(Function<LoopContext, T> action) {
        List<CompletableFuture<T>> futures = new ArrayList<>();
        for (LoopContext ctx : loops) {
            CompletableFuture<T> future = new CompletableFuture<>();
            ctx.loop.execute(() -> {
                try {
                    future.complete(action.apply(ctx));
                } catch (Throwable t) {
                    future.completeExceptionally(t);
                }
            });
            futures.add(future);
        }
        List<T> results = new ArrayList<>();
        for (CompletableFuture<T> future : futures) {
            try {
                results.add(future.get(LOOP_TASK_SECONDS, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while collecting results from the event loops", e);
            } catch (Exception e) {
                throw new IllegalStateException("An event loop did not answer within " + LOOP_TASK_SECONDS + " s", e);
            }
        }
        return results;
    }

    /** A racy sum over the loops' counters, for progress lines and waits. */
    long sum(ToLongFunction<LoopContext> counter) {
        long total = 0;
        for (LoopContext ctx : loops) {
            total += counter.applyAsLong(ctx);
        }
        return total;
    }

    /** Waits until {@code settled} reaches {@code count} or {@code deadlineNanos} passes, printing progress. */
    boolean awaitSettled(int count, long deadlineNanos, Progress progress) {
        while (settled.get() < count) {
            if (System.nanoTime() >= deadlineNanos) {
                return false;
            }
            progress.maybePrint();
            LockSupport.parkNanos(10_000_000);
        }
        return true;
    }

    /**
     * Closes every connection with a Close handshake, waiting at most {@code timeout} for the
     * server's replies, then stops the loops (which closes whatever is left).
     */
    void closeAll(Duration timeout) {
        stopping = true;
        try {
            onEachLoop(ctx -> {
                for (LoadConnection c : ctx.connections) {
                    c.closeGracefully();
                }
            });
            long deadline = System.nanoTime() + timeout.toNanos();
            while (sum(ctx -> ctx.tcpOpen) > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(10_000_000);
            }
        } finally {
            group.close();
        }
    }

    @Override
    public void close() {
        stopping = true;
        group.close();
    }

    /** Sleeps until {@code deadline} ({@link System#nanoTime()} scale). */
    static void parkUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
