package dev.duplex.loadgen;

/**
 * What one subscriber has received of a publisher's sequence numbers: the next one expected and a
 * bitmap of the 64 before it, so that reordered, duplicated and late arrivals are told apart in
 * constant space and without allocation. Owned by the subscriber's event loop.
 */
final class SequenceWindow {
    /** Counted by {@link #see}: what became of an arrival. */
    static final int NEW = 0;
    static final int DUPLICATE = 1;
    /** Older than the bitmap reaches: reordered (or duplicated) beyond 64 messages. */
    static final int LATE = 2;

    private long next;
    private long seen; // bit i: sequence (next - 1 - i) arrived

    /** Records the arrival of {@code seq} (0 or more) and says whether it is new. */
    int see(long seq) {
        if (seq >= next) {
            long shift = seq - next + 1;
            seen = shift >= 64 ? 1 : (seen << shift) | 1;
            next = seq + 1;
            return NEW;
        }
        long behind = next - 1 - seq;
        if (behind >= 64) {
            return LATE;
        }
        long bit = 1L << behind;
        if ((seen & bit) != 0) {
            return DUPLICATE;
        }
        seen |= bit;
        return NEW;
    }
}
