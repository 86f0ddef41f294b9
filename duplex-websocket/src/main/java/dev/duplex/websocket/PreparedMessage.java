package dev.duplex.websocket;

import dev.duplex.websocket.internal.Prepared;
import java.nio.ByteBuffer;

/**
 * A message framed once and sent to many connections with {@link WebSocket#sendPrepared}: the
 * cost of encoding does not grow with the number of subscribers. Made only by the factories here;
 * immutable and thread safe.
 */
public interface PreparedMessage {

    static PreparedMessage text(String text) {
        return Prepared.text(text);
    }

    /** A binary message of {@code data}'s remaining bytes, copied. */
    static PreparedMessage binary(ByteBuffer data) {
        return Prepared.binary(data);
    }

    /** Text from bytes the caller guarantees are valid UTF-8 (e.g. a received message), copied. */
    static PreparedMessage textUtf8(ByteBuffer utf8) {
        return Prepared.textUtf8(utf8);
    }

    /** The length of the message's payload in bytes. */
    int payloadLength();

    /**
     * Sends this message to every connection in {@code recipients}, as {@link WebSocket#sendPrepared}
     * on each would, but cheaper for many ({@link WebSocket#sendBatch}): connections on the calling
     * event loop are sent to at once, and the others are handed to their event loop as one batch
     * per loop rather than one task per connection. Each connection still receives its messages in
     * the order they were sent to it. Connections that are not open, or whose queue is full (see
     * {@link WebSocket#sendPrepared}), are skipped.
     */
    default void sendTo(Iterable<? extends WebSocket> recipients) {
        WebSocket.sendBatch(() -> {
            for (WebSocket recipient : recipients) {
                recipient.sendPrepared(this);
            }
        });
    }
}
