package dev.duplex.client;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Asks token providers, which may block (an HTTP call to the application's backend), on threads of
 * their own, never on the loop, and hands the answer back to the loop. A provider that takes longer
 * than the command timeout counts as failed. Thread safe.
 */
final class TokenFetcher {
    private final Loop loop;
    private final long timeoutMillis;
    private final ExecutorService threads;

    TokenFetcher(Loop loop, String threadName, long timeoutMillis) {
        this.loop = loop;
        this.timeoutMillis = timeoutMillis;
        AtomicInteger count = new AtomicInteger();
        // Cached: no thread exists until a provider is first asked.
        this.threads = Executors.newCachedThreadPool(task -> {
            int n = count.incrementAndGet();
            Thread t = new Thread(task, n == 1 ? threadName : threadName + "-" + n);
            t.setDaemon(true);
            return t;
        });
    }

    /** Asks {@code provider}; {@code onToken} or {@code onError} then runs on the loop (never both, nothing after close). */
    void fetch(Callable<String> provider, Consumer<String> onToken, Consumer<Throwable> onError) {
        CompletableFuture<String> token;
        try {
            token = CompletableFuture.supplyAsync(() -> {
                try {
                    return provider.call();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, threads);
        } catch (RejectedExecutionException e) {
            return; // the client is closing
        }
        token.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((value, error) -> loop.execute(() -> {
            if (error == null) {
                onToken.accept(value);
                return;
            }
            Throwable cause = Errors.unwrap(error);
            onError.accept(cause instanceof TimeoutException
                    ? new TimeoutException("The token provider did not answer within " + timeoutMillis + " ms")
                    : cause);
        }));
    }

    /** Interrupts providers still running; their answers are dropped. */
    void shutdown() {
        threads.shutdownNow();
    }
}
