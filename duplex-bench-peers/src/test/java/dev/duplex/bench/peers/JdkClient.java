package dev.duplex.bench.peers;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@code java.net.http.WebSocket} client that puts every whole message it receives in a queue
 * (text as {@link String}, binary as {@code byte[]}), read with a timeout.
 */
final class JdkClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket ws;
    private final String name;

    private JdkClient(String name, WebSocket ws) {
        this.name = name;
        this.ws = ws;
    }

    static JdkClient connect(int port, String path) {
        return connect(URI.create("ws://127.0.0.1:" + port + path));
    }

    static JdkClient connect(URI uri) {
        Listener listener = new Listener();
        WebSocket ws = await(HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(uri, listener),
                "connect to " + uri);
        JdkClient client = new JdkClient(uri.toString(), ws);
        listener.client.complete(client);
        return client;
    }

    /** The failure of a connection attempt that should not succeed. */
    static Throwable connectFailure(int port, String path) {
        URI uri = URI.create("ws://127.0.0.1:" + port + path);
        CompletableFuture<WebSocket> attempt = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(uri, new WebSocket.Listener() { });
        try {
            WebSocket ws = attempt.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            ws.abort();
            return fail("connecting to " + uri + " should have failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            attempt.cancel(true);
            return fail("connecting to " + uri + " neither succeeded nor failed within " + TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    void sendText(String text) {
        await(ws.sendText(text, true), name + ": send text");
    }

    void sendBinary(byte[] bytes) {
        await(ws.sendBinary(ByteBuffer.wrap(bytes), true), name + ": send binary");
    }

    /** The next whole message: a String or a byte[]. */
    Object next() {
        try {
            Object m = messages.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                fail(name + ": no message within " + TIMEOUT + (closed.isDone() ? " (closed: " + closed.getNow(null) + ")" : ""));
            }
            if (m instanceof Throwable t) {
                fail(name + ": the connection failed: " + t, t);
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    String nextText() {
        Object m = next();
        if (!(m instanceof String s)) {
            return fail(name + ": expected a text message, got binary of " + ((byte[]) m).length + " bytes");
        }
        return s;
    }

    byte[] nextBinary() {
        Object m = next();
        if (!(m instanceof byte[] b)) {
            return fail(name + ": expected a binary message, got text " + m);
        }
        return b;
    }

    /** Close handshake (1000), waiting a bounded time for the server's Close; then the TCP connection is dropped. */
    @Override
    public void close() {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
            closed.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // dropped below anyway
        } finally {
            ws.abort();
        }
    }

    private static <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return fail(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            return fail(what + " did not complete within " + TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted during " + what);
        }
    }

    private static final class Listener implements WebSocket.Listener {
        final CompletableFuture<JdkClient> client = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        private void deliver(Object message) {
            client.thenAccept(c -> c.messages.add(message));
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                deliver(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                deliver(binary.toByteArray());
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            client.thenAccept(c -> c.closed.complete(statusCode));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            client.thenAccept(c -> {
                c.messages.add(error);
                c.closed.complete(-1);
            });
        }
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    static String describe(byte[] b) {
        return b.length + " bytes, starting " + Arrays.toString(Arrays.copyOf(b, Math.min(8, b.length)));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
