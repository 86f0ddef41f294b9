package dev.duplex.websocket.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sends (and {@code execute} tasks) that threads other than the event loop handed to one
 * session, in call order, until the loop runs them. A session creates it on the first hand-off,
 * so sessions written only on their loop never pay for it.
 *
 * <p>Thread safe: any thread adds; only the session's loop runs.
 */
final class HandOffQueue {
    private record HandedOff(long bytes, Runnable send) {
    }

    private final ConcurrentLinkedQueue<HandedOff> queue = new ConcurrentLinkedQueue<>();
    /** Bytes of the sends waiting, counted in {@code bufferedAmount} until they ran. */
    private final AtomicLong bytes = new AtomicLong();
    /** Hand-offs added and not yet run; the one that makes it 1 must have the queue run. */
    private final AtomicInteger pending = new AtomicInteger();
    /** Loop only: the queue is running, so a send from a task in it must not run it again. */
    private boolean running;

    /** Appends {@code send}; returns true when nothing was pending, so the caller must have {@link #run} scheduled. */
    boolean add(long sendBytes, Runnable send) {
        bytes.addAndGet(sendBytes);
        queue.add(new HandedOff(sendBytes, send));
        return pending.getAndIncrement() == 0;
    }

    long bytes() {
        return bytes.get();
    }

    /** Loop only: whether a send made now would overtake one handed off before it. */
    boolean mustRunFirst() {
        return pending.get() != 0 && !running;
    }

    /** Loop only: runs what was handed off, in call order. Not re-entered. */
    void run() {
        if (running) {
            return;
        }
        running = true;
        try {
            HandedOff next;
            while ((next = queue.poll()) != null) {
                bytes.addAndGet(-next.bytes());
                try {
                    next.send().run();
                } finally {
                    pending.decrementAndGet();
                }
            }
        } finally {
            running = false;
        }
    }
}
