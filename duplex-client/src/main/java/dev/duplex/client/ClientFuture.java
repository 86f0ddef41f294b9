package dev.duplex.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The futures a {@link DuplexClient} returns. They complete on the client's callback executor, in
 * order with the listener calls; so a callback that blocks on one of them would wait for itself.
 * Such a {@code get}/{@code join} throws {@link IllegalStateException} at once instead of hanging.
 */
final class ClientFuture<T> extends CompletableFuture<T> {
    private final Object owner;

    ClientFuture(Object owner) {
        this.owner = owner;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        guard();
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        guard();
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        guard();
        return super.join();
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    private void guard() {
        if (!isDone() && CallbackExecutor.inCallbackOf(owner)) {
            throw new IllegalStateException("Blocking on a DuplexClient future inside one of the client's callbacks "
                    + "would deadlock: the reply is delivered on the same (serial) callback executor. "
                    + "Chain with thenAccept/whenComplete instead.");
        }
    }
}
