package dev.duplex.hub.broker;

import java.time.Duration;

/**
 * How much history a channel keeps: at most {@code size} publications, each for at most {@code ttl}.
 * {@code metaTtl} is how long the stream's epoch and offset outlive its last publication, so that a
 * client returning after a quiet period still recovers (or learns it cannot).
 */
public record HistoryOptions(int size, Duration ttl, Duration metaTtl) {
    public static final HistoryOptions NONE = new HistoryOptions(0, Duration.ZERO, Duration.ofHours(1));
}
