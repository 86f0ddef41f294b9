package dev.duplex.cluster;

import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link WireClient} subscriber received of its channel: the offsets of each epoch in arrival
 * order, kept without boxing (1,000 subscribers × thousands of offsets), and the position a client
 * keeps (the epoch and the last offset it processed). Not thread-safe: its owner guards it.
 */
final class ReceivedOffsets {
    private final Map<String, Offsets> byEpoch = new LinkedHashMap<>();
    private String epoch;
    private long offset;

    /** A publication (of the current epoch). */
    void add(long publicationOffset) {
        byEpoch.computeIfAbsent(epoch, e -> new Offsets()).add(publicationOffset);
        offset = publicationOffset;
    }

    /** A {@code subscribed} reply: its epoch from now on, the publications it carries, and its position. */
    void subscribed(ServerMessage.Subscribed s) {
        epoch = s.epoch();
        Offsets offsets = byEpoch.computeIfAbsent(epoch, e -> new Offsets());
        if (s.publications() != null) {
            for (Publication p : s.publications()) {
                offsets.add(p.offset());
            }
        }
        offset = s.offset();
    }

    /** Where a resume starts from. */
    StreamPosition position() {
        return new StreamPosition(offset, epoch);
    }

    String epoch() {
        return epoch;
    }

    /** The last offset processed. */
    long offset() {
        return offset;
    }

    /** The epochs seen, in order. */
    List<String> epochs() {
        return List.copyOf(byEpoch.keySet());
    }

    /** The offsets received in {@code inEpoch}, in arrival order, recovered ones included. */
    long[] offsets(String inEpoch) {
        Offsets o = byEpoch.get(inEpoch);
        return o == null ? new long[0] : o.toArray();
    }

    /** A growable list of offsets. */
    private static final class Offsets {
        private long[] values = new long[64];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
