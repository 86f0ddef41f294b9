package dev.duplex.hub.session;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.SlowConsumerPolicy;

/**
 * A session's outbound side: messages wait in its {@link OutboundQueue} (bounded in bytes, with the
 * namespace's slow-consumer policy) and go to the socket while the socket's own buffer is at most
 * the watermark; the rest waits for {@link #onWritable}. Confined to the session's owner, except
 * the snapshot readers ({@link #queuedBytes()} and the like), which read values the owner publishes.
 */
final class OutboundPump {
    /** The socket buffer the hub fills at most, so that the queue, where policies apply, holds the rest. */
    private static final long SOCKET_WATERMARK = 64 * 1024;

    private final SessionContext ctx;
    private final SessionTransport transport;
    private final OutboundQueue queue;
    private final long watermark;
    /** A flush is under way further up the stack (a send can call back into the session). */
    private boolean flushing;

    // Published by the owner after each change, for the stats API and metrics on other threads.
    private volatile long queuedBytes;
    private volatile int queuedMessages;
    private volatile long oldestEnqueuedNanos;
    private volatile long dropped;
    private volatile long messagesOut;

    OutboundPump(SessionContext ctx, SessionTransport transport) {
        this.ctx = ctx;
        this.transport = transport;
        this.queue = new OutboundQueue(ctx.config().maxQueuedBytes());
        this.watermark = socketWatermark(ctx.config());
    }

    /**
     * At most half the per-connection budget ({@link HubConfig#maxQueuedBytes()}) sits in the socket
     * buffer, where the slow-consumer policy can no longer drop anything: with the full 64 KiB and a
     * budget of 64 KiB or less, the socket alone would fill the budget and a drop policy would
     * disconnect instead of dropping.
     */
    static long socketWatermark(HubConfig config) {
        return Math.min(SOCKET_WATERMARK, config.maxQueuedBytes() / 2);
    }

    /** Queues a reply; false if even replies no longer fit (twice the budget): a slow consumer. */
    boolean offerReply(EncodedMessage message) {
        return offer(new OutboundQueue.Entry(message, null, null, null, ctx.clock().nanoTime()));
    }

    /**
     * Queues a publication under its namespace's policy; false if the consumer must be
     * disconnected. Publications the policy dropped are counted in the metrics.
     */
    boolean offerPublication(EncodedMessage message, String channel, String key, SlowConsumerPolicy policy) {
        long before = queue.dropped();
        boolean fits = offer(new OutboundQueue.Entry(message, channel, key, policy, ctx.clock().nanoTime()));
        if (queue.dropped() > before) {
            ctx.metrics().slowConsumer(policy, queue.dropped() - before);
        }
        return fits;
    }

    private boolean offer(OutboundQueue.Entry entry) {
        boolean fits = queue.offer(entry, transport.bufferedAmount());
        publish();
        return fits;
    }

    /** Hands queued messages to the socket while its buffer has room. */
    void flush() {
        if (flushing) {
            return; // the flush further up the stack goes on with the queue
        }
        flushing = true;
        try {
            while (!queue.isEmpty() && transport.bufferedAmount() <= watermark) {
                OutboundQueue.Entry e = queue.poll();
                messagesOut++;
                ctx.metrics().sent(e.message().size(), ctx.clock().nanoTime() - e.enqueuedNanos());
                publish();
                transport.send(e.message());
            }
        } finally {
            flushing = false;
            publish();
        }
        // When the socket refused more, its buffer passed the transport's high watermark (the hub
        // sets it to ours): onWritable follows once it drained.
    }

    /** The socket drained: go on. */
    void onWritable() {
        flush();
    }

    /** Whether the queue is low enough to take another page of recovery. */
    boolean roomForMore() {
        return queue.bytes() + transport.bufferedAmount() <= ctx.config().maxQueuedBytes() / 2;
    }

    /** Drops what waits: the connection is going (the client recovers it from history). */
    void clear() {
        queue.clear();
        publish();
    }

    private void publish() {
        queuedBytes = queue.bytes();
        queuedMessages = queue.size();
        OutboundQueue.Entry head = queue.peek();
        oldestEnqueuedNanos = head == null ? 0 : head.enqueuedNanos();
        dropped = queue.dropped();
    }

    // ---- snapshots, any thread

    long queuedBytes() {
        return queuedBytes + transport.bufferedAmount();
    }

    int queuedMessages() {
        return queuedMessages;
    }

    long oldestQueuedMillis(long nowNanos) {
        long oldest = oldestEnqueuedNanos;
        return oldest == 0 ? 0 : (nowNanos - oldest) / 1_000_000;
    }

    long dropped() {
        return dropped;
    }

    long messagesOut() {
        return messagesOut;
    }
}
