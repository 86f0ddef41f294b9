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

    /** The encoded frame, for the engine. */
    public PreparedFrame frame() {
        return frame;
    }

    public int payloadLength() {
        return frame.payloadLength();
    }
}
