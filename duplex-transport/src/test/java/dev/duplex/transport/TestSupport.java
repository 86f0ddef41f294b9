package dev.duplex.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the socket tests. */
final class TestSupport {
    static final InetSocketAddress ANY_LOCAL_PORT = new InetSocketAddress("127.0.0.1", 0);
    static final long WAIT_SECONDS = 20;

    private TestSupport() {}

    /** Runs {@code action} on {@code loop} and returns its result, waiting at most WAIT_SECONDS. */
    static <T> T onLoop(EventLoop loop, Callable<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(action.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    static void onLoop(EventLoop loop, Runnable action) throws Exception {
        onLoop(loop, () -> {
            action.run();
            return null;
        });
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Deterministic, non-repeating-looking bytes. */
    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        int x = seed * 0x9E3779B1 + 1;
        for (int i = 0; i < length; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            bytes[i] = (byte) x;
        }
        return bytes;
    }

    /** Writes {@code bytes} in slices of {@code slice}, as a producer would. */
    static void writeInSlices(TcpConnection connection, byte[] bytes, int slice) {
        for (int offset = 0; offset < bytes.length; offset += slice) {
            int n = Math.min(slice, bytes.length - offset);
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, n);
            if (!connection.write(buffer)) {
                throw new AssertionError("write refused on an open connection");
            }
            if (buffer.hasRemaining()) {
                throw new AssertionError("write did not consume its buffer");
            }
        }
    }

    /** A server handler that writes back whatever it reads. */
    static final class EchoHandler extends RecordingHandler {
        EchoHandler() {
            onDataAction = TcpConnection::write;
        }
    }
}
