package dev.duplex.websocket.internal;

import dev.duplex.transport.EventLoop;
import dev.duplex.websocket.PreparedMessage;
import dev.duplex.websocket.WebSocket;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * One prepared message to many connections. Connections on the caller's own event loop are sent
 * to at once. For the others the message joins each connection's hand-off queue in call order
 * (so it can neither overtake nor fall behind the caller's other sends to that connection), and
 * each event loop gets one task that runs the queues of all its connections that need a run,
 * instead of one task (and maybe a wake-up) per connection.
 */
public final class Fanout {
    private Fanout() {
    }

    /** @see PreparedMessage#sendTo(Iterable) */
    public static void send(Iterable<? extends WebSocket> recipients, PreparedMessage message) {
        Map<EventLoop, List<Session>> elsewhere = null;
        for (WebSocket recipient : recipients) {
            EventLoop loop = recipient instanceof Session session ? session.loopOrNull() : null;
            if (loop == null || loop.inEventLoop()) {
                recipient.sendPrepared(message); // on this loop, not connected yet, or not ours
                continue;
            }
            Session session = (Session) recipient;
            if (!session.queuePreparedForBatch(message)) {
                continue; // closed, or a run of its queue is already due and will send this too
            }
            if (elsewhere == null) {
                elsewhere = new IdentityHashMap<>(4);
            }
            elsewhere.computeIfAbsent(loop, k -> new ArrayList<>()).add(session);
        }
        if (elsewhere != null) {
            elsewhere.forEach(Fanout::runOnLoop);
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
