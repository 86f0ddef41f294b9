package dev.duplex.hub.session;

import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.protocol.FrameTrace;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The frame-trace links of one session: the sessions watching its frames, and the sessions it
 * watches. While anyone watches, the connection's frame observer turns every frame into a
 * {@code frame} message for each watcher. Guarded by its own monitor, never held while calling a
 * watcher or the transport.
 */
final class FrameTraces {
    private final HubSession owner;
    private final SessionTransport transport;
    private final LongSupplier clock;
    private final Set<HubSession> watchers = new LinkedHashSet<>();
    private final Set<HubSession> watched = new LinkedHashSet<>();
    private boolean closed;

    FrameTraces(HubSession owner, SessionTransport transport, LongSupplier clock) {
        this.owner = owner;
        this.transport = transport;
        this.clock = clock;
    }

    /** The owner starts watching {@code target}. */
    void watch(HubSession target) {
        synchronized (this) {
            watched.add(target);
        }
        target.traces().addWatcher(owner);
    }

    /** The owner stops watching {@code target} (which may be gone). */
    void unwatch(HubSession target) {
        synchronized (this) {
            watched.remove(target);
        }
        if (target != null) {
            target.traces().removeWatcher(owner);
        }
    }

    private void addWatcher(HubSession watcher) {
        boolean first;
        boolean gone;
        synchronized (this) {
            gone = closed;
            first = !gone && watchers.isEmpty();
            if (!gone) {
                watchers.add(watcher);
            }
        }
        if (gone) {
            watcher.push(new ServerMessage.Tracing(null, owner.clientId(), false));
        } else if (first) {
            transport.observeFrames(this::onFrame);
        }
    }

    private void removeWatcher(HubSession watcher) {
        boolean last;
        synchronized (this) {
            last = watchers.remove(watcher) && watchers.isEmpty();
        }
        if (last) {
            transport.observeFrames(null);
        }
    }

    private void onFrame(FrameTrace f) {
        List<HubSession> to;
        synchronized (this) {
            to = List.copyOf(watchers);
        }
        boolean close = f.closeCode() >= 0;
        ServerMessage.Frame frame = new ServerMessage.Frame(owner.clientId(),
                f.direction() == FrameTrace.Direction.IN ? "in" : "out",
                f.fin(), f.rsv1(), f.rsv2(), f.rsv3(), f.opcodeName(), f.masked(), f.payloadLength(),
                close ? f.closeCode() : null, close ? f.closeReason() : null, clock.getAsLong());
        for (HubSession watcher : to) {
            watcher.push(frame);
        }
    }

    /** The owner's connection is gone: its watchers are told, and it stops watching others. */
    void close() {
        List<HubSession> toTell;
        List<HubSession> toLeave;
        synchronized (this) {
            closed = true;
            toTell = List.copyOf(watchers);
            toLeave = List.copyOf(watched);
            watchers.clear();
            watched.clear();
        }
        for (HubSession w : toTell) {
            synchronized (w.traces()) {
                w.traces().watched.remove(owner);
            }
            w.push(new ServerMessage.Tracing(null, owner.clientId(), false));
        }
        for (HubSession target : toLeave) {
            target.traces().removeWatcher(owner);
        }
    }
}
