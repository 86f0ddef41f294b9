package dev.duplex.hub.session;

import dev.duplex.hub.NamespaceConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * One channel of a session: where its stream is for this client, and what waits while the
 * subscription is not live yet (held back during recovery). Confined to the session's owner.
 */
final class Subscription {
    final String channel;
    final NamespaceConfig namespace;
    /** The stream position the client has reached: publications up to it are delivered or queued. */
    String epoch;
    long offset;
    /** Publications go to the client as they arrive; until then they are held back. */
    boolean live;
    private List<SharedPublication> heldBack;
    private long heldBackBytes;
    /** Recovery continues page by page after the subscribed reply. */
    boolean recovering;
    /** A page is being read from history. */
    boolean fetching;
    /** Held-back publications were let go during recovery: read history once more before going live. */
    boolean heldBackOverflowed;

    Subscription(String channel, NamespaceConfig namespace) {
        this.channel = channel;
        this.namespace = namespace;
    }

    /**
     * Holds a publication back until the subscription is live. While recovery pages through
     * history, what is held back is bounded by {@code budget} bytes: beyond, it is let go (the pages
     * will read it from history).
     */
    void holdBack(SharedPublication publication, long budget) {
        long size = publication.publication().payload().size();
        if (recovering && heldBackBytes + size > budget) {
            heldBack = null;
            heldBackBytes = 0;
            heldBackOverflowed = true;
            return;
        }
        if (heldBack == null) {
            heldBack = new ArrayList<>();
        }
        heldBack.add(publication);
        heldBackBytes += size;
    }

    /** What was held back, oldest first; the subscription is live from now on. */
    List<SharedPublication> goLive() {
        live = true;
        List<SharedPublication> held = heldBack == null ? List.of() : heldBack;
        heldBack = null;
        heldBackBytes = 0;
        return held;
    }
}
