package dev.duplex.websocket;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Shared pieces of the server tests. */
final class TestServers {
    private TestServers() {
    }

    /** Echoes text and binary messages. */
    static final WebSocketListener ECHO = new WebSocketListener() {
        @Override
        public void onText(WebSocket ws, String text) {
            ws.sendText(text);
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
            ws.sendBinary(data);
        }
    };

    /** Records what a client sees as strings: "open", "text:…", "binary:N", "pong:…", "error:…", "close:CODE:reason". */
    static class Recorder implements WebSocketListener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void onOpen(WebSocket ws) {
            events.add("open");
        }

        @Override
        public void onText(WebSocket ws, String text) {
            events.add("text:" + text);
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
            events.add("binary:" + data.remaining());
        }

        @Override
        public void onPong(WebSocket ws, ByteBuffer payload) {
            events.add("pong:" + payload.remaining());
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            events.add("error:" + error.getClass().getSimpleName());
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            events.add("close:" + code + ":" + reason);
        }

        String next() throws InterruptedException {
            String event = events.poll(10, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("No event within 10 s");
            }
            return event;
        }

        /** Skips events until one starting with {@code prefix}. */
        String nextStartingWith(String prefix) throws InterruptedException {
            for (int i = 0; i < 1_000; i++) {
                String event = next();
                if (event.startsWith(prefix)) {
                    return event;
                }
            }
            throw new AssertionError("No event starting with " + prefix);
        }
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes; returns whether it held. */
    static boolean eventually(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return condition.getAsBoolean();
    }
}
