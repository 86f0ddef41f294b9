package dev.duplex.client;

import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.List;

/**
 * A page of a channel's history, from {@link DuplexClient#history}.
 *
 * @param channel the channel
 * @param position the stream's current position (epoch and offset of its latest publication)
 * @param publications the publications asked for, oldest first
 */
public record HistoryResult(String channel, StreamPosition position, List<Publication> publications) {

    /** Makes {@code publications} unmodifiable. */
    public HistoryResult {
        publications = publications == null ? List.of() : List.copyOf(publications);
    }
}
