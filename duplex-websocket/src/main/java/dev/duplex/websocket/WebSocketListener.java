package dev.duplex.websocket;

import java.nio.ByteBuffer;

/**
 * What happens on a {@link WebSocket}. Every method has an empty default. For one connection the
 * calls arrive one at a time, in order; on the event loop unless an executor was configured, so
 * a listener running on the loop must not block.
 *
 * <p>Buffers passed in are valid only during the call: copy what you keep.
 */
public interface WebSocketListener {

    /** The opening handshake completed. */
    default void onOpen(WebSocket ws) {
    }

    default void onText(WebSocket ws, String text) {
    }

    default void onBinary(WebSocket ws, ByteBuffer data) {
    }

    /**
     * A part of a message larger than {@link WebSocketOptions#streamingThresholdBytes()}:
     * such messages arrive in parts as their bytes do, never whole. Text parts may split a
     * multi-byte character.
     */
    default void onMessagePart(WebSocket ws, boolean text, ByteBuffer part, boolean last) {
    }

    default void onPing(WebSocket ws, ByteBuffer payload) {
    }

    default void onPong(WebSocket ws, ByteBuffer payload) {
    }

    /** The send queue drained after {@link WebSocket#bufferedAmount()} passed the high watermark. */
    default void onWritable(WebSocket ws) {
    }

    /**
     * Something went wrong: the peer broke the protocol (a {@link dev.duplex.protocol.ProtocolException}
     * with its close code), an I/O error, or a timeout. {@link #onClose} follows.
     */
    default void onError(WebSocket ws, Throwable error) {
    }

    /**
     * The connection is closed; called exactly once, last.
     *
     * @param code the code of the close handshake, or 1006 when the connection dropped without one
     */
    default void onClose(WebSocket ws, int code, String reason) {
    }
}
