package dev.duplex.websocket.internal;

import dev.duplex.transport.EventLoop;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * Batches the hand-offs of a fan-out. A send from a thread other than the connection's event loop
 * joins the connection's hand-off queue in call order (so it can neither overtake nor fall behind
 * the caller's other sends to that connection), and the loop is asked to run that queue. Inside
 * {@link #batch}, that request is held back instead: when the batch ends, each event loop gets one
 * task that runs the queues of all its connections that need a run, rather than one task (and
 * maybe a wake-up) per connection.
 */
public final class Fanout {
    private static final ThreadLocal<Fanout> CURRENT = new ThreadLocal<>();

    /** Connections whose hand-off queue needs a run, by event loop; made on first use. */
    private Map<EventLoop, List<Session>> due;

    private Fanout() {
    }

    /** @see dev.duplex.websocket.WebSocket#sendBatch(Runnable) */
    public static void batch(Runnable sends) {
        if (CURRENT.get() != null) {
            sends.run(); // joins the outer batch
            return;
        }
        Fanout batch = new Fanout();
        CURRENT.set(batch);
        try {
            sends.run();
        } finally {
            CURRENT.remove();
            batch.dispatch(); // also after a failure: queued sends must not wait forever
        }
    }

    /**
     * Takes over asking {@code loop} to run {@code session}'s hand-off queue, when a batch is open
     * on this thread. False: no batch, the caller asks the loop itself.
     */
    static boolean defer(Session session, EventLoop loop) {
        Fanout batch = CURRENT.get();
        if (batch == null) {
            return false;
        }
        if (batch.due == null) {
            batch.due = new IdentityHashMap<>(4);
        }
        batch.due.computeIfAbsent(loop, k -> new ArrayList<>()).add(session);
        return true;
    }

    private void dispatch() {
        if (due != null) {
            due.forEach(Fanout::runOnLoop);
        }
    }

    private static void runOnLoop(EventLoop loop, List<Session> sessions) {
        try {
            loop.execute(() -> {
                for (Session session : sessions) {
                    session.runHandedOff();
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            // The loop is closing its connections: there is nobody left to deliver to.
        }
    }
}
