package dev.duplex.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLHandshakeException;

/**
 * The input side of one {@link TcpConnection}: the read loop, through TLS when the connection
 * has it; whether the layer above wants to read; and the peer's end of input. Reads go into the
 * loop's shared buffer, so a connection holds no read buffer of its own.
 *
 * <p>Used only on the connection's loop thread.
 */
final class Inbound {
    /** Reads per connection per select round, so one fast sender cannot starve the others. */
    private static final int MAX_READS_PER_ROUND = 16;

    private final TcpConnection connection;
    /** Whether the layer above wants to read (see {@link TcpConnection#setReadInterest}). */
    private boolean readInterest = true;
    /** The peer's FIN (or close_notify) arrived. */
    private boolean ended;

    Inbound(TcpConnection connection) {
        this.connection = connection;
    }

    /** Whether the selector should report the socket readable. */
    boolean wantsRead() {
        return readInterest && !ended;
    }

    boolean ended() {
        return ended;
    }

    void readInterest(boolean on) {
        readInterest = on;
    }

    /** Whether input, decrypted or read, may be handed to the handler now. */
    boolean wantsInput() {
        TcpState state = connection.state;
        return state == TcpState.TLS_HANDSHAKE || (state.isOpen() && readInterest && !ended);
    }

    /**
     * Reads what the socket has, up to {@link #MAX_READS_PER_ROUND} reads. With TLS and
     * {@code fromSocket} false, only the ciphertext stashed from an earlier read is processed
     * (reading resumed after a pause).
     */
    void read(boolean fromSocket) {
        if (connection.tls != null) {
            readTls(fromSocket);
            return;
        }
        int limit = connection.options.readBufferBytes();
        ByteBuffer buffer = connection.loop.readBuffer(limit);
        for (int i = 0; i < MAX_READS_PER_ROUND; i++) {
            int n;
            try {
                n = connection.channel.read(buffer);
            } catch (IOException e) {
                connection.close(e);
                return;
            }
            if (n < 0) {
                endOfInput();
                return;
            }
            if (n == 0) {
                return;
            }
            buffer.flip();
            if (!deliver(buffer) || n < limit) {
                return; // closed, paused, or a short read: the socket is very likely empty
            }
            buffer.clear().limit(limit);
        }
    }

    /** Reads ciphertext behind any stashed partial record and decrypts it. */
    private void readTls(boolean fromSocket) {
        TlsLayer tls = connection.tls;
        for (int i = 0; i < MAX_READS_PER_ROUND; i++) {
            int limit = tls.readBufferBytes(connection.options.readBufferBytes());
            ByteBuffer buffer = connection.loop.readBuffer(limit);
            tls.unstashInto(buffer);
            int room = buffer.remaining();
            int n = 0;
            if (fromSocket) {
                try {
                    n = connection.channel.read(buffer);
                } catch (IOException e) {
                    connection.close(e);
                    return;
                }
            }
            if (n < 0) {
                if (connection.state == TcpState.TLS_HANDSHAKE) {
                    connection.close(new SSLHandshakeException("The peer closed the connection during the TLS handshake"));
                } else {
                    endOfInput(); // without close_notify: a truncation the layer above can detect
                }
                return;
            }
            buffer.flip();
            if (!buffer.hasRemaining()) {
                return;
            }
            tls.unwrap(buffer);
            if (!fromSocket || !wantsInput() || n < room) {
                return; // stash only, closed, paused, or a short read: the socket is very likely empty
            }
        }
    }

    /** Hands input (plaintext, decrypted with TLS) to the handler; returns whether to go on reading. */
    boolean deliver(ByteBuffer input) {
        if (!connection.state.isOpen()) {
            return false;
        }
        try {
            connection.handler.onData(connection, input);
        } catch (Throwable t) {
            connection.handlerFailed("onData", t);
            return false;
        }
        return wantsInput();
    }

    /** close_notify arrived: the end of input, like a FIN. */
    void closeNotifyReceived() {
        if (connection.state.isOpen() && !ended) {
            endOfInput();
        }
    }

    private void endOfInput() {
        ended = true;
        connection.inputEnded();
    }
}
