package dev.duplex.websocket;

import dev.duplex.websocket.internal.Fanout;

/**
 * Fan-out to many connections at the cost of one hand-off per event loop. A send to a connection
 * from a thread other than its event loop is handed to that loop; sent in a loop over thousands of
 * connections, that is thousands of tasks. Inside {@link #run}, the sends are queued as usual
 * (each connection keeps its send order, and {@link WebSocket#bufferedAmount()} counts them at
 * once), but each event loop is given one task, when {@code run} returns, that sends the queued
 * messages of all its connections.
 *
 * <pre>{@code
 * PreparedMessage message = PreparedMessage.text(json);
 * SendBatch.run(() -> subscribers.forEach(ws -> ws.sendPrepared(message)));
 * }</pre>
 */
public final class SendBatch {
    private SendBatch() {
    }

    /**
     * Runs {@code sends} on this thread, batching the hand-offs of the sends it makes. Sends to
     * connections of the calling event loop go out at once, as always. A nested call joins the
     * outer batch. If {@code sends} throws, what it sent is still delivered. Keep {@code sends}
     * short and never blocking: another thread's send to a connection this batch has sent to waits
     * for the batch to end.
     */
    public static void run(Runnable sends) {
        Fanout.batch(sends);
    }
}
