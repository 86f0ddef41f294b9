package dev.duplex.hub.session;

import dev.duplex.hub.limits.TokenBucket;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.protocol.FrameTrace;
import java.util.List;

/**
 * A session's side of frame traces: while anyone watches its connection, each frame becomes a
 * {@code frame} message for each watcher, handed to the watcher's own owner. Frame messages are
 * rate-limited per traced connection ({@link #RATE_PER_SECOND}, burst {@link #BURST}); the next one
 * after a gap carries how many frames were skipped. Who watches whom is the node's
 * {@link TraceGraph}, which keeps traces from feeding themselves.
 *
 * <p>Confined to the session's owner (its event loop, where the frame observer runs too), except
 * {@link #watchers}, which the graph's changes publish.
 */
final class FrameTraces {
    /** Frame messages a traced connection's watchers get per second, after the burst. */
    static final int RATE_PER_SECOND = 200;
    static final int BURST = 400;

    private final HubSession owner;
    private final SessionContext ctx;
    private final SessionTransport transport;
    private final TokenBucket rate;
    /** Who watches this connection, as the graph last said; read by the frame observer. */
    private volatile List<HubSession> watchers = List.of();
    /** Frames not reported since the last frame message. */
    private long skipped;

    FrameTraces(HubSession owner, SessionContext ctx, SessionTransport transport) {
        this.owner = owner;
        this.ctx = ctx;
        this.transport = transport;
        this.rate = new TokenBucket(RATE_PER_SECOND, BURST, ctx.clock().nanoTime());
    }

    /**
     * The owner starts watching {@code target}. Returns null, or why it may not (the reply's text).
     * {@code accepted} runs (the reply is queued) before the first frame message can reach the owner.
     */
    String watch(HubSession target, Runnable accepted) {
        TraceGraph.Watch w = ctx.traces().watch(owner, target);
        if (w.refusal() != null) {
            return w.refusal();
        }
        accepted.run();
        if (w.targetGone()) {
            owner.push(new ServerMessage.Tracing(null, target.clientId(), false));
        } else {
            target.execute(() -> target.traces().watchersChanged());
        }
        return null;
    }

    /** The owner stops watching {@code target} (which may be gone). */
    void unwatch(HubSession target) {
        if (target != null) {
            ctx.traces().unwatch(owner, target);
            target.execute(() -> target.traces().watchersChanged());
        }
    }

    /**
     * On the owner: start or stop observing frames as watchers come and go. It reads the graph
     * afresh, so changes reported out of order still end in the right state.
     */
    private void watchersChanged() {
        if (!owner.active()) {
            return;
        }
        List<HubSession> now = ctx.traces().watchersOf(owner);
        boolean was = !watchers.isEmpty();
        watchers = now;
        if (!was && !now.isEmpty()) {
            transport.observeFrames(this::onFrame);
        } else if (was && now.isEmpty()) {
            transport.observeFrames(null);
        }
    }

    private void onFrame(FrameTrace f) {
        List<HubSession> to = watchers;
        if (to.isEmpty()) {
            return;
        }
        if (!rate.tryAcquire(ctx.clock().nanoTime())) {
            skipped++;
            return;
        }
        long skippedBefore = skipped;
        skipped = 0;
        boolean close = f.closeCode() >= 0;
        ServerMessage.Frame frame = new ServerMessage.Frame(owner.clientId(),
                f.direction() == FrameTrace.Direction.IN ? "in" : "out",
                f.fin(), f.rsv1(), f.rsv2(), f.rsv3(), f.opcodeName(), f.masked(), f.payloadLength(),
                close ? f.closeCode() : null, close ? f.closeReason() : null, ctx.clock().currentTimeMillis(),
                skippedBefore == 0 ? null : skippedBefore);
        for (HubSession watcher : to) {
            watcher.execute(() -> watcher.push(frame));
        }
    }

    /** The owner's connection is gone: its watchers are told, and those it watched lose a watcher. */
    void close() {
        TraceGraph.Ended ended = ctx.traces().close(owner);
        watchers = List.of();
        for (HubSession w : ended.watchers()) {
            w.execute(() -> w.push(new ServerMessage.Tracing(null, owner.clientId(), false)));
        }
        for (HubSession target : ended.watched()) {
            target.execute(() -> target.traces().watchersChanged());
        }
    }
}
