package dev.duplex.client;

import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one channel's stream stands for the application, and the de-duplication that makes every
 * publication arrive exactly once, in order: a publication is delivered only if its offset is past
 * the last one delivered in the same epoch. Recovery after a reconnect replays from the last
 * delivered position; whatever the hub sends twice (a recovered publication that was also seen live,
 * a retried subscribe) is dropped here. Pure; not thread safe (the client uses it from one thread).
 */
final class StreamTracker {

    /**
     * What a {@code subscribed} reply means for the application.
     *
     * @param recovered the hub recovered every publication after the position the client asked from
     * @param unrecoverable the client asked to recover and could not: the application must reload its
     *     state and continue from {@code position}
     * @param deliver the publications of the reply to hand to the application, oldest first, already
     *     de-duplicated
     * @param position the position after the reply (the stream's current position)
     */
    record Outcome(boolean recovered, boolean unrecoverable, List<Publication> deliver, StreamPosition position) {
    }

    private String epoch;
    private long offset;
    private boolean known;

    /** A tracker that knows no position yet (a new subscription). */
    StreamTracker() {
    }

    /** A tracker that resumes from {@code start} (e.g. a position the application stored), or knows nothing if null. */
    StreamTracker(StreamPosition start) {
        if (start != null) {
            this.epoch = start.epoch();
            this.offset = start.offset();
            this.known = true;
        }
    }

    /** The last delivered position (or the stream position of the last {@code subscribed}), or null if none yet. */
    StreamPosition position() {
        return known ? new StreamPosition(offset, epoch) : null;
    }

    /**
     * Applies a {@code subscribed} reply.
     *
     * @param askedSince the {@code since} the subscribe carried (null: no recovery was asked for)
     * @param recovered the reply's {@code recovered} field
     * @param publications the reply's publications (may be null)
     */
    Outcome onSubscribed(StreamPosition askedSince, String replyEpoch, long replyOffset, Boolean recovered,
            List<Publication> publications) {
        List<Publication> deliver = new ArrayList<>();
        List<Publication> given = publications == null ? List.of() : publications;
        if (askedSince == null) {
            // A fresh subscription: the reply's publications (the latest value in latest-value
            // namespaces) are the starting state; live publications follow the stream position.
            long last = Long.MIN_VALUE;
            for (Publication p : given) {
                if (p.offset() > last) {
                    deliver.add(p);
                    last = p.offset();
                }
            }
            set(replyEpoch, Math.max(replyOffset, last));
            return new Outcome(false, false, deliver, position());
        }
        boolean sameEpoch = askedSince.epoch() != null && askedSince.epoch().equals(replyEpoch);
        if (Boolean.TRUE.equals(recovered) && sameEpoch) {
            // Continue from what was delivered: the tracker may be further than askedSince if
            // publications arrived after the subscribe was sent (it never is with the hub's ordering).
            long last = known && replyEpoch.equals(epoch) ? Math.max(offset, askedSince.offset()) : askedSince.offset();
            for (Publication p : given) {
                if (p.offset() > last) {
                    deliver.add(p);
                    last = p.offset();
                }
            }
            set(replyEpoch, Math.max(last, replyOffset));
            return new Outcome(true, false, deliver, position());
        }
        // Continuity is lost (another epoch, or the position left the history window): whatever the
        // reply carries is the new starting state, and offsets start over in the reply's epoch.
        long last = Long.MIN_VALUE;
        for (Publication p : given) {
            if (p.offset() > last) {
                deliver.add(p);
                last = p.offset();
            }
        }
        set(replyEpoch, Math.max(replyOffset, last));
        return new Outcome(false, true, deliver, position());
    }

    /**
     * A live publication: true (and the position moves to it) if the application has not seen it;
     * false for an offset at or before the last delivered one, or while no position is known.
     */
    boolean accept(Publication publication) {
        if (!known || publication.offset() <= offset) {
            return false;
        }
        offset = publication.offset();
        return true;
    }

    private void set(String newEpoch, long newOffset) {
        this.epoch = newEpoch;
        this.offset = newOffset;
        this.known = true;
    }
}
