package dev.duplex.client;

import dev.duplex.hub.protocol.StreamPosition;

/**
 * The hub's {@code ack} of a publish: the publication is stored and fanned out.
 *
 * @param channel the channel
 * @param msgId the client message id the publish carried (and kept across re-sends)
 * @param epoch the epoch of the channel's stream
 * @param offset the publication's offset in it
 * @param duplicate true when the hub had already published this message id (a re-send after a
 *     reconnect): nothing was published twice and {@code offset} is that of the first publication
 */
public record PublishResult(String channel, String msgId, String epoch, long offset, boolean duplicate) {

    /** The publication's place in the stream. */
    public StreamPosition position() {
        return new StreamPosition(offset, epoch);
    }
}
