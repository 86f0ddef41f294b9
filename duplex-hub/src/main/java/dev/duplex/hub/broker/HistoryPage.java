package dev.duplex.hub.broker;

import dev.duplex.hub.protocol.Publication;
import java.util.List;

/**
 * A slice of a channel's stream. {@code recoverable} is false when {@code since} was given but the
 * publications after it are no longer all retained (another epoch, or fallen out of the window).
 */
public record HistoryPage(String epoch, long offset, List<Publication> publications, boolean recoverable) {
}
