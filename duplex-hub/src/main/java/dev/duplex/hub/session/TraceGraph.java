package dev.duplex.hub.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who traces whom on this node: the one structure that two sessions change together (a trace links
 * a watcher to a traced connection). Changes happen under its lock, rarely (a trace starts or stops,
 * a connection closes), so that two connections asking to trace each other at the same moment
 * cannot both succeed. Thread-safe.
 *
 * <p>The rule it keeps: a connection is either traced or tracing, never both. The frame messages a
 * watcher receives are frames of its own connection, so were it traced they would be traced again,
 * and two connections watching each other (or any cycle) would send each other frame messages
 * forever.
 */
public final class TraceGraph {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<HubSession, List<HubSession>> watchersOf = new HashMap<>();
    private final Map<HubSession, List<HubSession>> watchedBy = new HashMap<>();

    /** The outcome of {@link #watch}: a refusal (null if none), or whether the target was already gone. */
    record Watch(String refusal, boolean targetGone) {
    }

    /** {@code watcher} starts watching {@code target}, unless a rule forbids it. */
    Watch watch(HubSession watcher, HubSession target) {
        lock.lock();
        try {
            if (target == watcher) {
                return refused("A connection cannot trace itself; trace from a second connection");
            }
            if (!watchersOf.getOrDefault(watcher, List.of()).isEmpty()) {
                return refused("This connection is being traced, so it cannot trace others: its frame messages would be traced in turn");
            }
            if (!watchedBy.getOrDefault(target, List.of()).isEmpty()) {
                return refused("Connection " + target.clientId() + " traces other connections, so it cannot be traced");
            }
            if (!target.active()) {
                // Its close comes after this under the same lock, or came before: either way the
                // watcher hears that the trace ended.
                return new Watch(null, true);
            }
            List<HubSession> watchers = watchersOf.computeIfAbsent(target, t -> new ArrayList<>());
            if (!watchers.contains(watcher)) {
                watchers.add(watcher);
                watchedBy.computeIfAbsent(watcher, w -> new ArrayList<>()).add(target);
            }
            return new Watch(null, false);
        } finally {
            lock.unlock();
        }
    }

    /** Who watches {@code target} now. */
    List<HubSession> watchersOf(HubSession target) {
        lock.lock();
        try {
            return List.copyOf(watchersOf.getOrDefault(target, List.of()));
        } finally {
            lock.unlock();
        }
    }

    /** {@code watcher} stops watching {@code target}. */
    void unwatch(HubSession watcher, HubSession target) {
        lock.lock();
        try {
            List<HubSession> watchers = watchersOf.get(target);
            if (watchers != null) {
                watchers.remove(watcher);
                if (watchers.isEmpty()) {
                    watchersOf.remove(target);
                }
            }
            List<HubSession> watched = watchedBy.get(watcher);
            if (watched != null) {
                watched.remove(target);
                if (watched.isEmpty()) {
                    watchedBy.remove(watcher);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The links of a session that ends: the sessions that watched it, and those it watched. */
    record Ended(List<HubSession> watchers, List<HubSession> watched) {
    }

    /** {@code session}'s connection is gone: it leaves the graph for good. */
    Ended close(HubSession session) {
        lock.lock();
        try {
            List<HubSession> watchers = watchersOf.remove(session);
            List<HubSession> watched = watchedBy.remove(session);
            for (HubSession w : watchers == null ? List.<HubSession>of() : watchers) {
                List<HubSession> theirs = watchedBy.get(w);
                if (theirs != null && theirs.remove(session) && theirs.isEmpty()) {
                    watchedBy.remove(w);
                }
            }
            for (HubSession target : watched == null ? List.<HubSession>of() : watched) {
                List<HubSession> others = watchersOf.get(target);
                if (others != null && others.remove(session) && others.isEmpty()) {
                    watchersOf.remove(target);
                }
            }
            return new Ended(watchers == null ? List.of() : List.copyOf(watchers), watched == null ? List.of() : List.copyOf(watched));
        } finally {
            lock.unlock();
        }
    }

    private static Watch refused(String why) {
        return new Watch(why, false);
    }
}
