package dev.duplex.client;

/**
 * Told about every {@link ConnectionState} change of a {@link DuplexClient}, in order, on the
 * client's callback executor (never on a network thread).
 */
@FunctionalInterface
public interface StateListener {

    /** The connection state changed; {@code event} says to what and why. */
    void onStateChange(StateEvent event);
}
