package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamTrackerTest {

    @Test
    void aFreshSubscriptionStartsAtTheStreamPosition() {
        StreamTracker tracker = new StreamTracker();
        assertThat(tracker.position()).isNull();
        assertThat(tracker.accept(pub(1))).as("no position yet").isFalse();

        StreamTracker.Outcome outcome = tracker.onSubscribed(null, "e1", 41, null, List.of());
        assertThat(outcome.recovered()).isFalse();
        assertThat(outcome.unrecoverable()).isFalse();
        assertThat(outcome.deliver()).isEmpty();
        assertThat(outcome.position()).isEqualTo(new StreamPosition(41, "e1"));

        assertThat(tracker.accept(pub(41))).as("already part of the state").isFalse();
        assertThat(tracker.accept(pub(42))).isTrue();
        assertThat(tracker.position()).isEqualTo(new StreamPosition(42, "e1"));
    }

    @Test
    void theLatestValueOfAFreshSubscriptionIsDelivered() {
        StreamTracker tracker = new StreamTracker();
        StreamTracker.Outcome outcome = tracker.onSubscribed(null, "e1", 7, null, List.of(pub(7)));
        assertThat(offsets(outcome.deliver())).containsExactly(7L);
        assertThat(tracker.position()).isEqualTo(new StreamPosition(7, "e1"));
    }

    @Test
    void liveDuplicatesAndOldOffsetsAreDropped() {
        StreamTracker tracker = new StreamTracker();
        tracker.onSubscribed(null, "e1", 0, null, List.of());
        List<Long> delivered = new ArrayList<>();
        for (long offset : new long[] {1, 2, 2, 3, 1, 4, 4, 6, 5, 7}) {
            if (tracker.accept(pub(offset))) {
                delivered.add(offset);
            }
        }
        // 5 after 6 is older than what was delivered: never out of order. A gap (5) is allowed: keep-latest namespaces skip.
        assertThat(delivered).containsExactly(1L, 2L, 3L, 4L, 6L, 7L);
    }

    @Test
    void recoveryDeliversOnlyWhatWasMissedAndDropsOverlap() {
        StreamTracker tracker = new StreamTracker();
        tracker.onSubscribed(null, "e1", 10, null, List.of());
        assertThat(tracker.accept(pub(11))).isTrue();
        assertThat(tracker.accept(pub(12))).isTrue();
        StreamPosition since = tracker.position();
        assertThat(since).isEqualTo(new StreamPosition(12, "e1"));

        // The hub replays from an older offset than asked (overlap): 11 and 12 were delivered already.
        StreamTracker.Outcome outcome = tracker.onSubscribed(since, "e1", 15, true,
                List.of(pub(11), pub(12), pub(13), pub(14), pub(15)));
        assertThat(outcome.recovered()).isTrue();
        assertThat(outcome.unrecoverable()).isFalse();
        assertThat(offsets(outcome.deliver())).containsExactly(13L, 14L, 15L);
        assertThat(outcome.position()).isEqualTo(new StreamPosition(15, "e1"));

        // Live publications carry on with no overlap.
        assertThat(tracker.accept(pub(15))).isFalse();
        assertThat(tracker.accept(pub(16))).isTrue();
    }

    @Test
    void aNewEpochIsUnrecoverableAndOffsetsStartOver() {
        StreamTracker tracker = new StreamTracker();
        tracker.onSubscribed(null, "old", 500, null, List.of());
        assertThat(tracker.accept(pub(501))).isTrue();

        StreamTracker.Outcome outcome = tracker.onSubscribed(tracker.position(), "new", 3, false, List.of());
        assertThat(outcome.recovered()).isFalse();
        assertThat(outcome.unrecoverable()).isTrue();
        assertThat(outcome.position()).isEqualTo(new StreamPosition(3, "new"));
        // Offsets far below the old epoch's are new publications in the new epoch.
        assertThat(tracker.accept(pub(4))).isTrue();
        assertThat(tracker.position()).isEqualTo(new StreamPosition(4, "new"));
    }

    @Test
    void aRecoveredFlagWithAnotherEpochIsStillUnrecoverable() {
        StreamTracker tracker = new StreamTracker(new StreamPosition(9, "a"));
        StreamTracker.Outcome outcome = tracker.onSubscribed(tracker.position(), "b", 2, true, List.of(pub(1), pub(2)));
        assertThat(outcome.unrecoverable()).isTrue();
        assertThat(offsets(outcome.deliver())).containsExactly(1L, 2L);
        assertThat(tracker.position()).isEqualTo(new StreamPosition(2, "b"));
    }

    @Test
    void positionLeftTheHistoryWindowIsUnrecoverableInTheSameEpoch() {
        StreamTracker tracker = new StreamTracker(new StreamPosition(5, "e"));
        StreamTracker.Outcome outcome = tracker.onSubscribed(tracker.position(), "e", 900, false, null);
        assertThat(outcome.unrecoverable()).isTrue();
        assertThat(outcome.deliver()).isEmpty();
        assertThat(tracker.position()).isEqualTo(new StreamPosition(900, "e"));
        assertThat(tracker.accept(pub(900))).isFalse();
        assertThat(tracker.accept(pub(901))).isTrue();
    }

    @Test
    void aStartingPositionFromTheApplicationIsUsedForTheFirstRecovery() {
        StreamTracker tracker = new StreamTracker(new StreamPosition(20, "e"));
        assertThat(tracker.position()).isEqualTo(new StreamPosition(20, "e"));
        StreamTracker.Outcome outcome = tracker.onSubscribed(new StreamPosition(20, "e"), "e", 22, true,
                List.of(pub(21), pub(22)));
        assertThat(outcome.recovered()).isTrue();
        assertThat(offsets(outcome.deliver())).containsExactly(21L, 22L);
    }

    @Test
    void exactlyOnceAcrossManySimulatedReconnects() {
        // A stream of 1..N; the client "disconnects" at random points, the hub replays from a
        // random point at or before the client's position, and live delivery repeats a few.
        java.util.Random random = new java.util.Random(11);
        StreamTracker tracker = new StreamTracker();
        tracker.onSubscribed(null, "e", 0, null, List.of());
        List<Long> delivered = new ArrayList<>();
        long published = 0;
        for (int round = 0; round < 200; round++) {
            int live = random.nextInt(20);
            for (int i = 0; i < live; i++) {
                published++;
                if (tracker.accept(pub(published))) {
                    delivered.add(published);
                }
                if (random.nextInt(5) == 0 && tracker.accept(pub(published))) { // a duplicate push
                    delivered.add(published);
                }
            }
            // Missed while offline.
            published += random.nextInt(10);
            StreamPosition since = tracker.position();
            long replayFrom = Math.max(1, since.offset() - random.nextInt(5));
            List<Publication> replay = new ArrayList<>();
            for (long o = replayFrom; o <= published; o++) {
                replay.add(pub(o));
            }
            StreamTracker.Outcome outcome = tracker.onSubscribed(since, "e", published, true, replay);
            for (Publication p : outcome.deliver()) {
                delivered.add(p.offset());
            }
        }
        assertThat(delivered).hasSize((int) published);
        for (int i = 0; i < delivered.size(); i++) {
            assertThat(delivered.get(i)).isEqualTo(i + 1L);
        }
    }

    private static Publication pub(long offset) {
        return new Publication("ch", offset, IntNode.valueOf((int) offset), null, null);
    }

    private static List<Long> offsets(List<Publication> publications) {
        List<Long> out = new ArrayList<>();
        for (Publication p : publications) {
            out.add(p.offset());
        }
        return out;
    }
}
