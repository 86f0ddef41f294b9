package dev.duplex.hub.session;

import dev.duplex.hub.limits.TokenBucket;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.protocol.FrameTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The frame-trace links of one session: the sessions watching its frames, and the sessions it
 * watches. While anyone watches, the connection's frame observer turns each frame into a
 * {@code frame} message for each watcher.
 *
 * <p>Two rules keep traces from feeding themselves. A connection is either traced or tracing, never
 * both: the frame messages a watcher receives are frames of its own connection, so were it traced
 * they would be traced again, and two connections watching each other (or any cycle) would send
 * each other frame messages forever. And frame messages are rate-limited per traced connection
 * ({@link #RATE_PER_SECOND}, burst {@link #BURST}); the next one after a gap carries how many frames
 * were skipped.
 *
 * <p>The links of all sessions form one graph, changed under one lock ({@link #GRAPH}: traces
 * start and stop rarely) so that two connections asking to trace each other at the same moment
 * cannot both succeed. Nothing is called under it but these sets.
 */
final class FrameTraces {
    /** Frame messages a traced connection's watchers get per second, after the burst. */
    static final int RATE_PER_SECOND = 200;
    static final int BURST = 400;
    private static final Object GRAPH = new Object();

    private final HubSession owner;
    private final SessionTransport transport;
    private final LongSupplier millis;
    private final LongSupplier nanos;
    private final TokenBucket rate;
    /** Guarded by GRAPH; {@link #watcherView} is the copy {@link #onFrame} reads without locking. */
    private final List<HubSession> watchers = new ArrayList<>();
    private final List<HubSession> watched = new ArrayList<>();
    private volatile List<HubSession> watcherView = List.of();
    private boolean closed;
    /** Guarded by this: frames not reported since the last frame message. */
    private long skipped;

    FrameTraces(HubSession owner, SessionTransport transport, LongSupplier millis, LongSupplier nanos) {
        this.owner = owner;
        this.transport = transport;
        this.millis = millis;
        this.nanos = nanos;
        this.rate = new TokenBucket(RATE_PER_SECOND, BURST, nanos.getAsLong());
    }

    /**
     * The owner starts watching {@code target}. Returns null, or why it may not (the reply's text):
     * a traced connection may not trace, a tracing connection may not be traced. {@code accepted}
     * runs (the reply is queued) before the first frame message can reach the owner.
     */
    String watch(HubSession target, Runnable accepted) {
        FrameTraces other = target.traces();
        boolean first;
        boolean gone;
        synchronized (GRAPH) {
            if (target == owner) {
                // Its own trace messages would be traced again, without end: watch from a second connection.
                return "A connection cannot trace itself; trace from a second connection";
            }
            if (!watchers.isEmpty()) {
                return "This connection is being traced, so it cannot trace others: its frame messages would be traced in turn";
            }
            if (!other.watched.isEmpty()) {
                return "Connection " + target.clientId() + " traces other connections, so it cannot be traced";
            }
            gone = other.closed;
            first = false;
            if (!gone && !watched.contains(target)) {
                watched.add(target);
                first = other.watchers.isEmpty();
                other.watchers.add(owner);
            }
        }
        accepted.run();
        synchronized (GRAPH) {
            other.watcherView = List.copyOf(other.watchers); // frame messages flow to the owner from here
        }
        if (gone) {
            owner.push(new ServerMessage.Tracing(null, target.clientId(), false));
        } else if (first) {
            other.transport.observeFrames(other::onFrame);
        }
        return null;
    }

    /** The owner stops watching {@code target} (which may be gone). */
    void unwatch(HubSession target) {
        if (target == null) {
            return;
        }
        FrameTraces other = target.traces();
        boolean last;
        synchronized (GRAPH) {
            watched.remove(target);
            last = other.watchers.remove(owner) && other.watchers.isEmpty();
            other.watcherView = List.copyOf(other.watchers);
        }
        if (last) {
            other.transport.observeFrames(null);
        }
    }

    private void onFrame(FrameTrace f) {
        List<HubSession> to = watcherView;
        if (to.isEmpty()) {
            return;
        }
        long skippedBefore;
        synchronized (this) {
            if (!rate.tryAcquire(nanos.getAsLong())) {
                skipped++;
                return;
            }
            skippedBefore = skipped;
            skipped = 0;
        }
        boolean close = f.closeCode() >= 0;
        ServerMessage.Frame frame = new ServerMessage.Frame(owner.clientId(),
                f.direction() == FrameTrace.Direction.IN ? "in" : "out",
                f.fin(), f.rsv1(), f.rsv2(), f.rsv3(), f.opcodeName(), f.masked(), f.payloadLength(),
                close ? f.closeCode() : null, close ? f.closeReason() : null, millis.getAsLong(),
                skippedBefore == 0 ? null : skippedBefore);
        for (HubSession watcher : to) {
            watcher.push(frame);
        }
    }

    /** The owner's connection is gone: its watchers are told, and it stops watching others. */
    void close() {
        List<HubSession> toTell;
        List<HubSession> toLeave;
        synchronized (GRAPH) {
            closed = true;
            toTell = List.copyOf(watchers);
            toLeave = List.copyOf(watched);
            for (HubSession w : toTell) {
                w.traces().watched.remove(owner);
            }
            watchers.clear();
            watcherView = List.of();
            watched.clear();
        }
        for (HubSession w : toTell) {
            w.push(new ServerMessage.Tracing(null, owner.clientId(), false));
        }
        for (HubSession target : toLeave) {
            FrameTraces other = target.traces();
            boolean last;
            synchronized (GRAPH) {
                last = other.watchers.remove(owner) && other.watchers.isEmpty();
                other.watcherView = List.copyOf(other.watchers);
            }
            if (last) {
                other.transport.observeFrames(null);
            }
        }
    }
}
