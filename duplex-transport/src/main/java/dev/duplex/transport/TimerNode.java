package dev.duplex.transport;

/**
 * An entry of a {@link TimerWheel}. The links live in the entry itself so that arming, re-arming
 * and disarming a timer never allocates; {@link TcpConnection} is such an entry, which is how a
 * connection's deadline costs no object of its own.
 *
 * <p>Not thread-safe: only the wheel's loop thread touches these fields.
 */
abstract class TimerNode {
    /** Slot value of a node that is not in any wheel. */
    static final int UNLINKED = -1;

    TimerNode prev;
    TimerNode next;
    long expiryTick;
    int slot = UNLINKED;

    /** Runs on the loop thread when the node's tick has passed; the node is already unlinked. */
    abstract void onTimer();

    final boolean isScheduled() {
        return slot != UNLINKED;
    }
}
