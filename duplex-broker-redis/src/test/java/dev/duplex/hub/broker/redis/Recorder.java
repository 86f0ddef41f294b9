package dev.duplex.hub.broker.redis;

import dev.duplex.hub.broker.BrokerListener;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A broker listener that keeps everything it is told, in order, and lets a test wait for it (bounded). */
final class Recorder implements BrokerListener {
    record Event(String kind, String channel, String epoch, long offset, Publication publication, ClientInfo info) {
    }

    private final List<Event> events = new ArrayList<>();

    @Override
    public synchronized void onPublication(String epoch, Publication publication) {
        events.add(new Event("publication", publication.channel(), epoch, publication.offset(), publication, null));
        notifyAll();
    }

    @Override
    public synchronized void onJoin(String channel, ClientInfo info) {
        events.add(new Event("join", channel, null, 0, null, info));
        notifyAll();
    }

    @Override
    public synchronized void onLeave(String channel, ClientInfo info) {
        events.add(new Event("leave", channel, null, 0, null, info));
        notifyAll();
    }

    @Override
    public synchronized void onGap(String channel, String epoch, long offset) {
        events.add(new Event("gap", channel, epoch, offset, null, null));
        notifyAll();
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    synchronized List<Event> of(String kind, String channel) {
        return events.stream().filter(e -> e.kind().equals(kind) && e.channel().equals(channel)).toList();
    }

    /** Offsets delivered for {@code channel}, in delivery order. */
    synchronized List<Long> offsets(String channel) {
        return of("publication", channel).stream().map(Event::offset).toList();
    }

    /** Waits until {@code condition} holds over the events, at most {@code timeout}; returns whether it did. */
    synchronized boolean await(Predicate<List<Event>> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(events)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Waits until {@code channel} got {@code count} publications (or the timeout passed). */
    boolean awaitPublications(String channel, int count, Duration timeout) throws InterruptedException {
        return await(list -> list.stream().filter(e -> e.kind().equals("publication") && e.channel().equals(channel)).count() >= count,
                timeout);
    }
}
