package dev.duplex.hub.session;

import dev.duplex.websocket.PreparedMessage;
import java.nio.ByteBuffer;

/**
 * A server message encoded in one wire format, framed at most once however many connections it
 * goes to. Immutable once built; {@link #prepared()} is computed on first use (a race computes it
 * twice, harmlessly).
 */
public final class EncodedMessage {
    private final byte[] bytes;
    private final boolean binary;
    private volatile PreparedMessage prepared;

    public EncodedMessage(byte[] bytes, boolean binary) {
        this.bytes = bytes;
        this.binary = binary;
    }

    public byte[] bytes() {
        return bytes;
    }

    public boolean binary() {
        return binary;
    }

    /** Payload length, what this message costs in an outbound queue. */
    public int size() {
        return bytes.length;
    }

    /** The WebSocket frame, built once. */
    public PreparedMessage prepared() {
        PreparedMessage p = prepared;
        if (p == null) {
            p = binary ? PreparedMessage.binary(ByteBuffer.wrap(bytes)) : PreparedMessage.textUtf8(ByteBuffer.wrap(bytes));
            prepared = p;
        }
        return p;
    }
}
