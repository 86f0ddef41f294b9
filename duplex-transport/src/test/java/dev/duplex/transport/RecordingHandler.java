package dev.duplex.transport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** A test handler that records every callback; hooks can be customised before the connection opens. */
class RecordingHandler implements ConnectionHandler {
    final CompletableFuture<TcpConnection> opened = new CompletableFuture<>();
    /** Completes with the onClosed cause (null for orderly). */
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();
    final CompletableFuture<Void> endOfInput = new CompletableFuture<>();
    final CompletableFuture<Void> writable = new CompletableFuture<>();
    final AtomicInteger closedCalls = new AtomicInteger();
    final AtomicInteger deadlineCalls = new AtomicInteger();
    final AtomicInteger writableCalls = new AtomicInteger();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    volatile Consumer<TcpConnection> onOpenAction = c -> {};
    volatile BiConsumer<TcpConnection, ByteBuffer> onDataAction;
    volatile Consumer<TcpConnection> onEndOfInputAction = TcpConnection::close;
    volatile Consumer<TcpConnection> onDeadlineAction = c -> {};

    @Override
    public void onOpen(TcpConnection connection) {
        onOpenAction.accept(connection);
        opened.complete(connection);
    }

    @Override
    public void onData(TcpConnection connection, ByteBuffer buffer) {
        BiConsumer<TcpConnection, ByteBuffer> action = onDataAction;
        if (action != null) {
            action.accept(connection, buffer);
            return;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        synchronized (this) {
            data.write(bytes, 0, bytes.length);
            notifyAll();
        }
    }

    @Override
    public void onWritable(TcpConnection connection) {
        writableCalls.incrementAndGet();
        writable.complete(null);
    }

    @Override
    public void onEndOfInput(TcpConnection connection) {
        endOfInput.complete(null);
        onEndOfInputAction.accept(connection);
    }

    @Override
    public void onClosed(TcpConnection connection, Throwable cause) {
        closedCalls.incrementAndGet();
        closed.complete(cause);
    }

    @Override
    public void onDeadline(TcpConnection connection) {
        deadlineCalls.incrementAndGet();
        onDeadlineAction.accept(connection);
    }

    synchronized int receivedCount() {
        return data.size();
    }

    synchronized byte[] received() {
        return data.toByteArray();
    }

    /** Waits until at least {@code n} bytes have arrived; bounded by {@code timeout}. */
    synchronized byte[] awaitBytes(int n, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (data.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("received " + data.size() + " of " + n + " bytes");
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return data.toByteArray();
    }
}
