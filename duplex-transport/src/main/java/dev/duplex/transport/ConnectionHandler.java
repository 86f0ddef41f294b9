package dev.duplex.transport;

import java.nio.ByteBuffer;

/**
 * Hooks for one TCP connection. Every method is called on the connection's event loop thread, so
 * a handler needs no locking for state only it touches. If a hook throws, the connection is
 * closed with that exception as the cause.
 *
 * <p>{@link #onClosed} is called exactly once for every connection whose {@link #onOpen} was
 * called; a client connection that never opened reports its failure through the future of
 * {@link TcpClient#connect} instead.
 */
public interface ConnectionHandler {
    /**
     * The connection is established and reading; it is safe to write from here on. With TLS, this
     * comes after the TLS handshake has completed, so writes are plaintext to be encrypted.
     */
    void onOpen(TcpConnection connection);

    /**
     * Bytes arrived. {@code data} is the loop's shared read buffer, flipped, valid only during this
     * call: consume or copy what you need. At most {@link TransportOptions#readBufferBytes()}
     * bytes are delivered per call (with TLS: the plaintext of one TLS record, up to about 16 KiB,
     * in a loop-shared buffer of its own).
     */
    void onData(TcpConnection connection, ByteBuffer data);

    /**
     * The write queue fell to zero bytes after having been above the high watermark
     * (writability regained). Default: nothing.
     */
    default void onWritable(TcpConnection connection) {}

    /**
     * The peer half-closed (read returned -1). Reading stops; writing still works unless the peer
     * also reset. Default: {@link TcpConnection#close()}.
     */
    default void onEndOfInput(TcpConnection connection) {
        connection.close();
    }

    /**
     * Called exactly once, after the socket is closed for any reason.
     *
     * @param cause {@code null} for an orderly close (either side closed, or the loop shut down);
     *     otherwise the I/O error or handler exception that closed it
     */
    void onClosed(TcpConnection connection, Throwable cause);

    /** The connection's deadline (see {@link TcpConnection#setDeadline}) passed. Default: nothing. */
    default void onDeadline(TcpConnection connection) {}
}
