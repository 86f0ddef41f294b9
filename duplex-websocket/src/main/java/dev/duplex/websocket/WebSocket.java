package dev.duplex.websocket;

import dev.duplex.websocket.internal.Fanout;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * One WebSocket connection, server or client side. Every method is thread safe; sends from a
 * thread other than the connection's event loop are handed to the loop in order.
 *
 * <p>Sends never block. They return {@code false} when the message was not queued: the
 * connection is closing or closed, or its queue would pass
 * {@link WebSocketOptions#maxQueuedBytes()}, in which case the connection is closed with 1008 (a
 * slow consumer must not grow memory without bound). Watch {@link #bufferedAmount()} and
 * {@link WebSocketListener#onWritable} to send at the pace the peer reads.
 */
public interface WebSocket {

    /** Sends a text message. @throws IllegalArgumentException if it holds an unpaired surrogate */
    boolean sendText(CharSequence text);

    /** Sends a binary message of {@code data}'s remaining bytes; the buffer is copied if needed, never kept. */
    boolean sendBinary(ByteBuffer data);

    /**
     * Sends a text message uncompressed even when permessage-deflate is on: for data already
     * compressed, or for secrets that must not share a compression context with data an attacker
     * controls (the CRIME/BREACH class).
     */
    boolean sendTextUncompressed(CharSequence text);

    /** Sends a binary message uncompressed even when permessage-deflate is on (see {@link #sendTextUncompressed}). */
    boolean sendBinaryUncompressed(ByteBuffer data);

    /**
     * Sends a message framed once for many connections (fan-out). Needs no copy when called from
     * another thread: the message is immutable.
     */
    boolean sendPrepared(PreparedMessage message);

    /**
     * Sends one part of a message streamed out in fragments: the first call starts a text or
     * binary message, later calls continue it, {@code last} ends it. For text, the parts together
     * must be valid UTF-8.
     */
    boolean sendPart(boolean text, ByteBuffer part, boolean last);

    /** Sends a ping of at most 125 bytes; the peer's pong arrives at {@link WebSocketListener#onPong}. */
    boolean ping(ByteBuffer payload);

    /**
     * Starts the close handshake. If the peer does not answer within
     * {@link WebSocketOptions#closeTimeout()}, the TCP connection is dropped and
     * {@link WebSocketListener#onClose} reports 1006.
     *
     * @param code a code that may be sent: 1000–1003, 1007–1014 or 3000–4999
     * @param reason at most 123 bytes of UTF-8, or null
     * @throws IllegalArgumentException for 1005, 1006, 1015 and other codes that may not be sent
     */
    void close(int code, String reason);

    /** Closes with 1000 and no reason. */
    default void close() {
        close(1000, null);
    }

    /** Drops the TCP connection at once, without a close handshake. */
    void abort();

    /** Bytes accepted by send calls and not yet written to the socket (the browser's {@code bufferedAmount}). */
    long bufferedAmount();

    /**
     * Whether messages may be sent: the opening handshake completed and no Close was sent or
     * received (the browser's {@code readyState == OPEN}).
     */
    boolean isOpen();

    /** Whether the TCP connection is closed ({@code readyState == CLOSED}); {@link WebSocketListener#onClose} follows or came. */
    boolean isClosed();

    /** The subprotocol agreed in the handshake, or null. */
    String subprotocol();

    /**
     * The extensions agreed in the handshake as the server wrote them, e.g.
     * {@code "permessage-deflate; server_no_context_takeover"}, or an empty string.
     */
    String extensions();

    /** The request path (server side) or the URI's path (client side), without the query. */
    String path();

    SocketAddress remoteAddress();

    /**
     * Runs {@code task} where this connection's listener events run: on its event loop (or, when
     * the server was given an executor, in order with the events on it), after every send another
     * thread handed to the connection before. Called on the event loop itself (without an executor),
     * it runs at once. This is how per-connection state gets one owner: touch it only in listener
     * events and in tasks given here, and it needs no lock. A task must be quick and not block;
     * tasks still run after the connection closed (to clean up), and are dropped once the server
     * or client stopped.
     */
    void execute(Runnable task);

    /** An attribute the application attached to this connection, or null. */
    Object attribute(String name);

    /** Attaches (or, with null, removes) an application attribute. */
    void attribute(String name, Object value);

    /**
     * Runs {@code sends} on this thread, batching the hand-offs of the sends it makes: fan-out to
     * many connections at the cost of one hand-off per event loop. A send to a connection from a
     * thread other than its event loop is handed to that loop; sent in a loop over thousands of
     * connections, that is thousands of tasks. Inside {@code sends}, the sends are queued as usual
     * (each connection keeps its send order, and {@link #bufferedAmount()} counts them at once),
     * but each event loop is given one task, when {@code sends} returns, that sends the queued
     * messages of all its connections. Sends to connections of the calling event loop go out at
     * once, as always. A nested call joins the outer batch. If {@code sends} throws, what it sent
     * is still delivered. Keep {@code sends} short and never blocking: another thread's send to a
     * connection this batch has sent to waits for the batch to end.
     *
     * <pre>{@code
     * PreparedMessage message = PreparedMessage.text(json);
     * WebSocket.sendBatch(() -> subscribers.forEach(ws -> ws.sendPrepared(message)));
     * }</pre>
     */
    static void sendBatch(Runnable sends) {
        Fanout.batch(sends);
    }
}
