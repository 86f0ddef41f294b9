package dev.duplex.protocol;

import java.nio.ByteBuffer;

/**
 * What a {@link Connection} found in the bytes it was given. Buffers passed to these methods are
 * views into the engine's or the caller's memory, valid only during the call: copy what you keep.
 * Text is always valid UTF-8.
 */
public interface ConnectionListener {
    /** A complete text message. */
    default void onText(ByteBuffer utf8) {
    }

    /** A complete binary message. */
    default void onBinary(ByteBuffer data) {
    }

    /**
     * Part of a message too large to deliver whole (see {@link Limits#streamingThresholdBytes()}).
     * Text parts are validated but a part may end inside a multi-byte character.
     *
     * @param last whether this part ends the message
     */
    default void onMessagePart(boolean text, ByteBuffer part, boolean last) {
    }

    /** A ping arrived; the connection has already queued the pong. */
    default void onPing(ByteBuffer payload) {
    }

    default void onPong(ByteBuffer payload) {
    }

    /**
     * The peer's Close frame arrived. If we had not sent one, the connection has queued its reply, so
     * the close handshake is complete either way ({@link Connection#state()} is CLOSED).
     *
     * @param code the peer's code, or {@link CloseCodes#NO_STATUS} if the frame carried none
     */
    default void onCloseReceived(int code, String reason) {
    }

    /**
     * The peer broke the protocol. The connection has queued a Close frame with the exception's
     * code and now ignores everything but the peer's Close.
     */
    default void onProtocolError(ProtocolException error) {
    }
}
