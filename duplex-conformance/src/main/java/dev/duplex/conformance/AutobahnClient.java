package dev.duplex.conformance;

import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.WebSocketOptions;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Drives Autobahn|Testsuite's fuzzing server the standard way: {@code /getCaseCount}, then
 * {@code /runCase?case=N&agent=A} for each case with an echoing client, then
 * {@code /updateReports?agent=A}. Prints one progress line per case.
 */
public final class AutobahnClient {
    /** Limits large enough for Autobahn section 9 (16 MiB messages, 65,536 fragments). */
    public static final WebSocketOptions OPTIONS = WebSocketOptions.defaults()
            .withMaxMessageBytes(ConformanceLimits.AUTOBAHN_MESSAGE_BYTES).withMaxFragments(ConformanceLimits.AUTOBAHN_FRAGMENTS)
            .withMaxQueuedBytes(256L << 20);

    private static final Duration CASE_TIMEOUT = Duration.ofMinutes(2);

    private final URI base;
    private final String agent;
    private final PrintStream out;
    private final WebSocketOptions options;

    /**
     * @param base the fuzzing server, e.g. {@code ws://127.0.0.1:9001}
     * @param agent the name the reports list us under
     */
    public AutobahnClient(URI base, String agent, PrintStream out) {
        this(base, agent, out, OPTIONS);
    }

    /** @param options e.g. {@link #OPTIONS} with compression, to run sections 12 and 13 */
    public AutobahnClient(URI base, String agent, PrintStream out, WebSocketOptions options) {
        this.base = base;
        this.agent = agent;
        this.out = out;
        this.options = options;
    }

    /** Runs every case; returns the number of cases run. */
    public int runAll() throws InterruptedException, ExecutionException, TimeoutException {
        try (WebSocketClient client = WebSocketClient.builder().options(options).build()) {
            int count = caseCount(client);
            out.println("Autobahn fuzzing server at " + base + " has " + count + " cases; agent " + agent);
            for (int i = 1; i <= count; i++) {
                long start = System.nanoTime();
                runCase(client, i);
                out.printf("case %d/%d done in %d ms%n", i, count, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
            awaitClose(client, "/updateReports?agent=" + encode(agent), new WebSocketListener() { });
            out.println("Reports updated for agent " + agent);
            return count;
        }
    }

    private int caseCount(WebSocketClient client) throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<Integer> count = new CompletableFuture<>();
        awaitClose(client, "/getCaseCount", new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) {
                count.complete(Integer.parseInt(text.trim()));
            }
        });
        return count.get(5, TimeUnit.SECONDS);
    }

    private void runCase(WebSocketClient client, int n) throws InterruptedException, ExecutionException, TimeoutException {
        awaitClose(client, "/runCase?case=" + n + "&agent=" + encode(agent), EchoListener.INSTANCE);
    }

    /** Connects to {@code pathAndQuery} and waits until the server closes the connection. */
    private void awaitClose(WebSocketClient client, String pathAndQuery, WebSocketListener listener)
            throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        WebSocketListener tracking = new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) {
                listener.onText(ws, text);
            }

            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                listener.onBinary(ws, data);
            }

            @Override
            public void onMessagePart(WebSocket ws, boolean text, ByteBuffer part, boolean last) {
                listener.onMessagePart(ws, text, part, last);
            }

            @Override
            public void onClose(WebSocket ws, int code, String reason) {
                closed.complete(null);
            }
        };
        try {
            client.connect(base.resolve(pathAndQuery), tracking).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            out.println("  connect to " + pathAndQuery + " failed: " + e.getCause().getMessage());
            return; // Autobahn records a failed connect against the case; carry on
        }
        closed.get(CASE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
