package dev.duplex.client;

import java.util.ArrayList;
import java.util.List;

/**
 * The client's connection state, and the listeners told about each change. The loop changes the
 * state and owns the listener list; listeners run on the callback executor, in order, each event
 * going to the listeners registered when it happened. {@link #current()} is a view any thread may
 * read.
 */
final class StateEvents {
    private static final System.Logger LOG = System.getLogger(DuplexClient.class.getName());

    private final CallbackExecutor callbacks;
    private final String clientName;
    private final List<StateListener> listeners;
    private volatile ConnectionState current = ConnectionState.CLOSED;

    StateEvents(CallbackExecutor callbacks, String clientName, List<StateListener> initial) {
        this.callbacks = callbacks;
        this.clientName = clientName;
        this.listeners = new ArrayList<>(initial);
    }

    /** The state of the last event. Any thread. */
    ConnectionState current() {
        return current;
    }

    void add(StateListener listener) {
        listeners.add(listener);
    }

    void remove(StateListener listener) {
        listeners.remove(listener);
    }

    /** The state changed: remember it, and tell the listeners (a listener that throws is logged, not fatal). */
    void emit(StateEvent event) {
        current = event.state();
        LOG.log(System.Logger.Level.DEBUG, "{0}: {1}", clientName, event);
        if (listeners.isEmpty()) {
            return;
        }
        List<StateListener> now = List.copyOf(listeners);
        callbacks.execute(() -> {
            for (StateListener listener : now) {
                try {
                    listener.onStateChange(event);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "A state listener threw; the client goes on", e);
                }
            }
        });
    }
}
