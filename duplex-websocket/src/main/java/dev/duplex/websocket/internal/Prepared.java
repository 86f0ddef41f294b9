package dev.duplex.websocket.internal;

import dev.duplex.protocol.PreparedFrame;
import dev.duplex.websocket.PreparedMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The one implementation of {@link PreparedMessage}: the engine's frame, encoded once. Immutable. */
public final class Prepared implements PreparedMessage {
    private final PreparedFrame frame;

    private Prepared(PreparedFrame frame) {
        this.frame = frame;
    }

    public static PreparedMessage text(String text) {
        return new Prepared(PreparedFrame.textUtf8(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
    }

    public static PreparedMessage binary(ByteBuffer data) {
        return new Prepared(PreparedFrame.binary(data.duplicate()));
    }

    public static PreparedMessage textUtf8(ByteBuffer utf8) {
        return new Prepared(PreparedFrame.textUtf8(utf8.duplicate()));
    }

    /** The frame of a message made by {@link PreparedMessage}'s factories. */
    static PreparedFrame frameOf(PreparedMessage message) {
        if (!(message instanceof Prepared prepared)) {
            throw new IllegalArgumentException("A PreparedMessage comes from PreparedMessage.text, binary or textUtf8");
        }
        return prepared.frame;
    }

    @Override
    public int payloadLength() {
        return frame.payloadLength();
    }
}
