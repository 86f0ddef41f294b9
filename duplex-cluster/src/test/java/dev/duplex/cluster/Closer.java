package dev.duplex.cluster;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a test started, stopped in reverse order when it is closed, even when the test failed: every
 * item is closed whatever the others did, and the first failure is thrown with the others
 * suppressed in it.
 */
final class Closer implements AutoCloseable {
    private final Deque<AutoCloseable> items = new ArrayDeque<>();

    /** Closes {@code item} before everything pushed so far; returns it. */
    synchronized <T extends AutoCloseable> T push(T item) {
        items.push(item);
        return item;
    }

    /** Something to do at the end, in reverse order with the rest. */
    void later(AutoCloseable action) {
        push(action);
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (true) {
            AutoCloseable item;
            synchronized (this) {
                item = items.poll();
            }
            if (item == null) {
                break;
            }
            try {
                item.close();
            } catch (Exception | AssertionError e) {
                Exception wrapped = e instanceof Exception ex ? ex : new Exception(e);
                if (first == null) {
                    first = wrapped;
                } else {
                    first.addSuppressed(wrapped);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
