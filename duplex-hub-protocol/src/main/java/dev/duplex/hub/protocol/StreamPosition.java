package dev.duplex.hub.protocol;

/**
 * A place in a channel's stream: the offset of the last publication seen and the epoch of the
 * stream it belongs to. A new epoch means the history behind it was lost, so offsets from another
 * epoch cannot be continued.
 */
public record StreamPosition(long offset, String epoch) {
}
