package dev.duplex.loadgen;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.transport.EventLoop;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What one event loop of the generator owns: the output buffer its connections' engines write
 * frames into (drained after every call), the mask source, a latency histogram, a preallocated
 * payload and counters. Everything here is touched only by the loop's thread; the progress line
 * reads the counters without synchronisation (an approximate, slightly stale view is all it needs),
 * and final results are collected by tasks run on the loop.
 */
final class LoopContext {
    /** Latencies above ten minutes are recorded as ten minutes. */
    static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(10);

    final EventLoop loop;
    final int index;
    final ByteOutput out;
    final FastMaskSource mask;
    final Histogram latency = new Histogram(HIGHEST_NANOS, 3);
    /** Connections that reached TCP open on this loop, in order; never removed (closed ones are skipped). */
    final List<LoadConnection> connections = new ArrayList<>();
    /** The loop's payload, when the scenario sends one: written, framed (copied) and reused at once. */
    ByteBuffer payload;
    long threadId;

    // Counters, written only by the loop thread.
    long tcpOpen;
    long open;
    long opened;
    long sent;
    long received;
    long outstanding;
    long windowMessages;
    long windowBytes;
    long unique;
    long duplicated;
    long late;
    long lastHandshakeNanos;
    // Hub fan-out only.
    /** Offsets a subscriber never saw (the hub skipped them for it), summed. */
    long offsetGaps;
    /** Publications whose offset was not above the last one seen (repeated or out of order). */
    long offsetRepeats;
    /** Join and leave pushes that subscribers ignored (namespaces with join_leave on). */
    long joinLeavePushes;
    /** Acks the publishers received. */
    long acks;
    /** Publish commands answered with an error. */
    long publishErrors;
    /** Publish-to-ack latency of the publishers on this loop; created by the hub scenario. */
    Histogram ackLatency;

    LoopContext(EventLoop loop, int index, int outputBytes) {
        this.loop = loop;
        this.index = index;
        this.out = new ByteOutput(Math.max(4096, outputBytes), true);
        this.mask = new FastMaskSource(System.nanoTime() ^ ((long) index << 32) ^ 0x5DEECE66DL);
    }

    void record(long nanos) {
        latency.recordValue(Math.min(Math.max(nanos, 0), HIGHEST_NANOS));
    }

    /**
     * Counts a subscriber's arrival as {@link SequenceWindow#see} judged it; a new one is timed from
     * {@code sentAt} and, when it arrived inside the measured window [{@code start}, {@code end}),
     * counted in its throughput.
     */
    void arrived(int verdict, long now, long sentAt, long length, long start, long end) {
        switch (verdict) {
            case SequenceWindow.DUPLICATE -> duplicated++;
            case SequenceWindow.LATE -> late++;
            default -> {
                unique++;
                record(now - sentAt);
                if (now >= start && now < end) {
                    windowMessages++;
                    windowBytes += length;
                }
            }
        }
    }
}
