package dev.duplex.websocket.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The live sessions of a server or client, so shutdown can reach them and wait for them. Thread safe. */
final class SessionRegistry {
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final Object emptied = new Object();

    void add(Session session) {
        sessions.add(session);
    }

    void remove(Session session) {
        if (sessions.remove(session) && sessions.isEmpty()) {
            synchronized (emptied) {
                emptied.notifyAll();
            }
        }
    }

    int size() {
        return sessions.size();
    }

    void forEach(Consumer<Session> action) {
        sessions.forEach(action);
    }

    /** Waits until no session is left or {@code timeoutNanos} passed; returns whether none is left. */
    boolean awaitEmpty(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (emptied) {
            while (!sessions.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                emptied.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }
}
