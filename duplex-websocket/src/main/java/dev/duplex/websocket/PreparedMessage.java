package dev.duplex.websocket;

import dev.duplex.protocol.PreparedFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A message framed once and sent to many connections with {@link WebSocket#sendPrepared}: the
 * cost of encoding does not grow with the number of subscribers. Immutable and thread safe.
 */
public final class PreparedMessage {
    private final PreparedFrame frame;

    private PreparedMessage(PreparedFrame frame) {
        this.frame = frame;
    }

    public static PreparedMessage text(String text) {
        return new PreparedMessage(PreparedFrame.textUtf8(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
    }

    /** A binary message of {@code data}'s remaining bytes, copied. */
    public static PreparedMessage binary(ByteBuffer data) {
        return new PreparedMessage(PreparedFrame.binary(data.duplicate()));
    }

    /** Text from bytes the caller guarantees are valid UTF-8 (e.g. a received message), copied. */
    public static PreparedMessage textUtf8(ByteBuffer utf8) {
        return new PreparedMessage(PreparedFrame.textUtf8(utf8.duplicate()));
    }

    /**
     * Sends this message to every connection in {@code recipients}, as {@link WebSocket#sendPrepared}
     * on each would, but cheaper for many ({@link SendBatch}): connections on the calling event
     * loop are sent to at once, and the others are handed to their event loop as one batch per
     * loop rather than one task per connection. Each connection still receives its messages in
     * the order they were sent to it. Connections that are not open, or whose queue is full (see
     * {@link WebSocket#sendPrepared}), are skipped.
     */
    public void sendTo(Iterable<? extends WebSocket> recipients) {
        SendBatch.run(() -> {
            for (WebSocket recipient : recipients) {
                recipient.sendPrepared(this);
            }
        });
    }

    /** The encoded frame, for the engine. */
    public PreparedFrame frame() {
        return frame;
    }

    public int payloadLength() {
        return frame.payloadLength();
    }
}
