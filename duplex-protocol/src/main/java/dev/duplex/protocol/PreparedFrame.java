package dev.duplex.protocol;

import dev.duplex.protocol.frame.FrameBits;
import dev.duplex.protocol.frame.FrameWriter;
import java.nio.ByteBuffer;

/**
 * A complete, unmasked, uncompressed server frame for one message, encoded once and sent to any
 * number of connections (fan-out). Immutable and thread safe: every user reads its own view.
 */
public final class PreparedFrame {
    private final ByteBuffer frame;
    private final boolean text;
    private final int payloadLength;

    private PreparedFrame(ByteBuffer frame, boolean text, int payloadLength) {
        this.frame = frame.asReadOnlyBuffer();
        this.text = text;
        this.payloadLength = payloadLength;
    }

    /** A text message from bytes the caller guarantees are valid UTF-8. */
    public static PreparedFrame textUtf8(ByteBuffer utf8) {
        return of(Opcode.TEXT, utf8, true);
    }

    public static PreparedFrame binary(ByteBuffer data) {
        return of(Opcode.BINARY, data, false);
    }

    private static PreparedFrame of(Opcode opcode, ByteBuffer payload, boolean text) {
        int length = payload.remaining();
        ByteBuffer frame = ByteBuffer.allocate(FrameBits.headerSize(length, false) + length);
        FrameWriter.writeFrame(frame, FrameWriter.firstByte(true, 0, opcode.code()), payload, false, 0);
        return new PreparedFrame(frame.flip(), text, length);
    }

    /** A fresh view of the frame's bytes. */
    public ByteBuffer bytes() {
        return frame.duplicate();
    }

    /** A fresh view of the payload alone, for connections that cannot use the frame as is. */
    public ByteBuffer payload() {
        ByteBuffer view = frame.duplicate();
        view.position(view.limit() - payloadLength);
        return view;
    }

    public boolean isText() {
        return text;
    }

    public int payloadLength() {
        return payloadLength;
    }
}
