package dev.duplex.transport;

import java.util.concurrent.TimeUnit;

/**
 * A hashed timer wheel: {@value #SLOTS} slots of {@value #TICK_MILLIS} ms, so one revolution is
 * about 5 s. Longer delays share a slot with nearer ones and are told apart by their absolute
 * expiry tick (the "round" is implicit in it). Scheduling and cancelling are O(1) and allocate
 * nothing; expiry is O(entries in the passing slots).
 *
 * <p>Not thread-safe: owned by one {@link EventLoop} and used only on its thread.
 */
final class TimerWheel {
    static final int SLOTS = 512;
    static final int TICK_MILLIS = 10;
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    private static final int MASK = SLOTS - 1;

    private final TimerNode[] heads = new TimerNode[SLOTS];
    private final long origin;
    /** The last tick whose slot has been processed. */
    private long currentTick;
    private int size;

    TimerWheel(long originNanos) {
        this.origin = originNanos;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * Links {@code node} to expire at the first tick at or after {@code deadlineNanos}, unlinking it
     * first if it is already scheduled (re-arm).
     */
    void schedule(TimerNode node, long deadlineNanos, long nowNanos) {
        if (node.isScheduled()) {
            unlink(node);
        }
        if (size == 0) {
            // Nothing was pending, so no slot needs processing: jump straight to the present rather
            // than walking the slots the loop slept through.
            currentTick = Math.max(currentTick, floorTick(nowNanos));
        }
        long tick = Math.max(ceilTick(deadlineNanos), currentTick + 1);
        int index = (int) (tick & MASK);
        node.expiryTick = tick;
        node.slot = index;
        node.prev = null;
        node.next = heads[index];
        if (node.next != null) {
            node.next.prev = node;
        }
        heads[index] = node;
        size++;
    }

    /** Unlinks {@code node}; returns false if it was not scheduled. */
    boolean cancel(TimerNode node) {
        if (!node.isScheduled()) {
            return false;
        }
        unlink(node);
        return true;
    }

    /** Milliseconds until the next tick boundary after {@code nowNanos}, at least 1. */
    long millisToNextTick(long nowNanos) {
        long nextBoundary = origin + (floorTick(nowNanos) + 1) * TICK_NANOS;
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextBoundary - nowNanos + 999_999));
    }

    /** Fires every node whose tick is at or before the tick containing {@code nowNanos}. */
    void advance(long nowNanos) {
        if (size == 0) {
            return;
        }
        long target = floorTick(nowNanos);
        if (target <= currentTick) {
            return;
        }
        // After a long stall every slot may hold due nodes; visiting each slot once is enough
        // because the expiry test below compares absolute ticks.
        long slotsToVisit = Math.min(target - currentTick, SLOTS);
        long first = currentTick + 1;
        for (long t = first; t < first + slotsToVisit && size > 0; t++) {
            expireSlot((int) (t & MASK), target);
        }
        currentTick = target;
    }

    private void expireSlot(int index, long target) {
        TimerNode node = heads[index];
        while (node != null) {
            TimerNode next = node.next;
            if (node.expiryTick <= target) {
                unlink(node);
                node.onTimer();
                // The callback may have cancelled or moved `next`; if so its links are no longer
                // this slot's, so start over (already-visited survivors are simply skipped again).
                if (next != null && next.slot != index) {
                    next = heads[index];
                }
            }
            node = next;
        }
    }

    private void unlink(TimerNode node) {
        if (node.prev != null) {
            node.prev.next = node.next;
        } else {
            heads[node.slot] = node.next;
        }
        if (node.next != null) {
            node.next.prev = node.prev;
        }
        node.prev = null;
        node.next = null;
        node.slot = TimerNode.UNLINKED;
        size--;
    }

    private long floorTick(long nanos) {
        return Math.floorDiv(nanos - origin, TICK_NANOS);
    }

    private long ceilTick(long nanos) {
        return -Math.floorDiv(origin - nanos, TICK_NANOS);
    }
}
