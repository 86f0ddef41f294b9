package dev.duplex.hub.broker.redis;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code read.lua} answers: the stream's epoch ({@code ""} when the channel has none), its top
 * offset, the oldest offset it still retains (top + 1 when none), and retained entries, oldest first.
 */
record StreamRead(String epoch, long top, long oldest, List<Entry> entries) {

    /** A retained publication: its offset and stored entry ({@link dev.duplex.hub.broker.redis.Entry}). */
    record Entry(long offset, byte[] bytes) {
    }

    static StreamRead parse(List<Object> reply) {
        List<Entry> entries = new ArrayList<>((reply.size() - 3) / 2);
        for (int i = 3; i + 1 < reply.size(); i += 2) {
            entries.add(new Entry(Script.number(reply.get(i)), (byte[]) reply.get(i + 1)));
        }
        return new StreamRead(Script.text(reply.get(0)), Script.number(reply.get(1)), Script.number(reply.get(2)), entries);
    }

    /** The read's arguments after the keys: see {@code read.lua}. */
    static byte[][] args(boolean create, String newEpoch, long metaTtlMillis, long since, String sinceEpoch, int limit,
                         long historyTtlMillis) {
        return new byte[][] {Script.arg(create ? 1 : 0), Script.arg(newEpoch), Script.arg(metaTtlMillis), Script.arg(since),
                Script.arg(sinceEpoch), Script.arg(limit), Script.arg(historyTtlMillis)};
    }
}
