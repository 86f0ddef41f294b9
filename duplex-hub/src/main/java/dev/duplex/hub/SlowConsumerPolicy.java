package dev.duplex.hub;

/**
 * What happens when a subscriber's outbound queue is full because it reads slower than its channels
 * publish. Other subscribers are never slowed down, whatever the policy.
 */
public enum SlowConsumerPolicy {
    /** Disconnect it with 3002; it reconnects and recovers from history. */
    DISCONNECT,
    /** Drop its oldest queued publications of the namespace (it sees the gap in offsets). */
    DROP_OLDEST,
    /** Keep only the newest queued publication per channel and key (latest value semantics). */
    LATEST_PER_KEY
}
