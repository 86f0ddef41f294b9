package dev.duplex.interop;

import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link WebSocketListener} of our API that records every event, in order, for a test to take with timeouts. */
class Recorder implements WebSocketListener {
    enum Kind { OPEN, TEXT, BINARY, PART, PING, PONG, ERROR, CLOSE }

    /** One event; {@code bytes} holds binary data, part data and ping/pong payloads. */
    record Event(Kind kind, String text, byte[] bytes, boolean textPart, boolean last, int code, String reason, Throwable error) {
        String payloadText() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case TEXT -> "TEXT(" + abbreviate(text) + ")";
                case BINARY -> "BINARY(" + bytes.length + " bytes)";
                case PART -> "PART(" + (textPart ? "text" : "binary") + ", " + bytes.length + " bytes, last=" + last + ")";
                case PING, PONG -> kind + "(" + abbreviate(payloadText()) + ")";
                case ERROR -> "ERROR(" + error + ")";
                case CLOSE -> "CLOSE(" + code + ", " + reason + ")";
                case OPEN -> "OPEN";
            };
        }

        private static String abbreviate(String s) {
            return s.length() > 80 ? s.substring(0, 80) + "… (" + s.length() + " chars)" : s;
        }
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<Event> taken = new ArrayList<>();

    private void add(Kind kind, String text, byte[] bytes, boolean textPart, boolean last, int code, String reason, Throwable error) {
        events.add(new Event(kind, text, bytes, textPart, last, code, reason, error));
    }

    private static byte[] bytes(ByteBuffer data) {
        byte[] b = new byte[data.remaining()];
        data.duplicate().get(b);
        return b;
    }

    @Override
    public void onOpen(WebSocket ws) {
        add(Kind.OPEN, null, null, false, false, 0, null, null);
    }

    @Override
    public void onText(WebSocket ws, String text) {
        add(Kind.TEXT, text, null, false, true, 0, null, null);
    }

    @Override
    public void onBinary(WebSocket ws, ByteBuffer data) {
        add(Kind.BINARY, null, bytes(data), false, true, 0, null, null);
    }

    @Override
    public void onMessagePart(WebSocket ws, boolean text, ByteBuffer part, boolean last) {
        add(Kind.PART, null, bytes(part), text, last, 0, null, null);
    }

    @Override
    public void onPing(WebSocket ws, ByteBuffer payload) {
        add(Kind.PING, null, bytes(payload), false, true, 0, null, null);
    }

    @Override
    public void onPong(WebSocket ws, ByteBuffer payload) {
        add(Kind.PONG, null, bytes(payload), false, true, 0, null, null);
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        add(Kind.ERROR, null, null, false, false, 0, null, error);
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
        add(Kind.CLOSE, null, null, false, false, code, reason, null);
    }

    /** The next event, whatever it is. */
    Event next(Duration timeout) {
        Event e;
        try {
            e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
        if (e == null) {
            fail("No WebSocket event within " + timeout.toMillis() + " ms; events so far: " + taken);
        }
        taken.add(e);
        return e;
    }

    /** The next event, which must be of {@code kind}. */
    Event expect(Kind kind, Duration timeout) {
        Event e = next(timeout);
        if (e.kind() != kind) {
            fail("Expected " + kind + " but got " + e + "; events so far: " + taken);
        }
        return e;
    }

    /** Skips events until one of {@code kind} (e.g. a CLOSE after whatever else is in flight). */
    Event await(Kind kind, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("No " + kind + " within " + timeout.toMillis() + " ms; events so far: " + taken);
            }
            Event e = next(Duration.ofNanos(left));
            if (e.kind() == kind) {
                return e;
            }
        }
    }

    /** The events taken so far, for failure messages. */
    List<Event> taken() {
        return List.copyOf(taken);
    }
}
