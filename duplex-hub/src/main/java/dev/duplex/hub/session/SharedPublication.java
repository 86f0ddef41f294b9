package dev.duplex.hub.session;

import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;

/**
 * A publication on its way to this node's subscribers: encoded once per wire format on first need,
 * then the same bytes (and the same WebSocket frame) go to every subscriber using that format.
 */
public final class SharedPublication {
    private final String epoch;
    private final Publication publication;
    private volatile EncodedMessage json;
    private volatile EncodedMessage msgpack;

    public SharedPublication(String epoch, Publication publication) {
        this.epoch = epoch;
        this.publication = publication;
    }

    public String epoch() {
        return epoch;
    }

    public Publication publication() {
        return publication;
    }

    public String channel() {
        return publication.channel();
    }

    public long offset() {
        return publication.offset();
    }

    public EncodedMessage encoded(HubCodec codec) {
        if (codec == HubCodec.MSGPACK) {
            EncodedMessage m = msgpack;
            if (m == null) {
                m = new EncodedMessage(codec.encode(publication), true);
                msgpack = m;
            }
            return m;
        }
        EncodedMessage m = json;
        if (m == null) {
            m = new EncodedMessage(codec.encode(publication), false);
            json = m;
        }
        return m;
    }
}
