package dev.duplex.client;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link Loop} the test runs by hand: handed-over tasks wait for {@link #runPending()}, timers
 * for {@link #advance}. Tasks may be handed over from any thread (like the real loop's); running
 * them, and timers, is the test thread's.
 */
final class ManualLoop implements Loop {
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Scheduled> timers = new PriorityQueue<>(
            Comparator.comparingLong((Scheduled s) -> s.due).thenComparingLong(s -> s.sequence));
    private long now;
    private long sequence;
    private volatile boolean stopped;

    @Override
    public boolean execute(Runnable task) {
        if (stopped) {
            return false;
        }
        tasks.add(task);
        return true;
    }

    @Override
    public Timer schedule(long delayMillis, Runnable task) {
        Scheduled s = new Scheduled(now + Math.max(0, delayMillis), sequence++, task);
        timers.add(s);
        return () -> timers.remove(s);
    }

    /** Runs the tasks handed over, and those they hand over in turn. */
    void runPending() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    /** Moves time on by {@code millis}, firing the timers due on the way, in order. */
    void advance(long millis) {
        long until = now + millis;
        runPending();
        while (!timers.isEmpty() && timers.peek().due <= until) {
            Scheduled s = timers.poll();
            now = s.due;
            s.task.run();
            runPending();
        }
        now = until;
    }

    /** Timers not yet fired or cancelled. */
    int timers() {
        return timers.size();
    }

    /** Accepts no more tasks, like a closed client's loop. */
    void stop() {
        stopped = true;
    }

    private record Scheduled(long due, long sequence, Runnable task) {
    }
}
