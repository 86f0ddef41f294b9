package dev.duplex.websocket.internal;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.FrameObserver;
import dev.duplex.protocol.FrameTrace;
import dev.duplex.protocol.Role;
import dev.duplex.transport.ConnectionHandler;
import dev.duplex.transport.TcpConnection;
import dev.duplex.websocket.PreparedMessage;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.WebSocketOptions;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * One WebSocket connection as the application holds it: the {@link WebSocket} methods, the
 * connection's {@link SessionState}, and the sending side. What the transport and the engine
 * report arrives at two separate objects, {@link TransportEvents} and {@link EngineEvents}, so
 * none of their callbacks is a method of what the application holds; {@link CloseHandshake}
 * moves the connection through closing.
 *
 * <p>Threading: one event loop owns the session. Everything but the {@link WebSocket} methods runs
 * on it; those run at once when called on it, and otherwise join the {@link HandOffQueue}, which
 * the loop runs in call order (see {@link Sender}, the sending side).
 *
 * <p>Output: the engine writes into an output this session owns for the call, borrowed from its
 * loop's {@link LoopBuffers} and given back written out; during a read batch it keeps one for the
 * whole batch, so the replies to a batch of input leave in one write.
 */
final class Session implements WebSocket {
    static final System.Logger LOG = System.getLogger("dev.duplex.websocket");

    final Role role;
    final Config config;
    final WebSocketOptions options;
    final SessionHost host;
    /** The application's executor wrapped to keep this connection's events in order, or null: the loop. */
    private final Executor listenerExecutor;
    final TransportEvents transportEvents;
    final EngineEvents engineEvents;
    final CloseHandshake closing;
    private final Sender sender;

    HandshakeStage handshake;
    TcpConnection tcp;
    LoopBuffers buffers;
    Connection connection;
    WebSocketListener listener;
    private volatile SessionState state = SessionState.HANDSHAKE;
    private String path;
    private String subprotocol;
    private String extensions = "";
    private Map<String, Object> attributes;
    /** The application's frame observer (guarded), or null; loop thread only once the connection is up. */
    private FrameObserver frameObserver;
    /** The output this session holds for the read batch in progress, or null outside one. */
    private ByteOutput batchOutput;
    private long compressionReservation;


    Session(Role role, Config config, Executor listenerExecutor, SessionHost host, HandshakeStage handshake) {
        this.role = role;
        this.config = config;
        this.options = config.options;
        this.listenerExecutor = listenerExecutor == null ? null : new SerialExecutor(listenerExecutor);
        this.host = host;
        this.handshake = handshake;
        this.transportEvents = new TransportEvents(this);
        this.engineEvents = new EngineEvents(this);
        this.closing = new CloseHandshake(this);
        this.sender = new Sender(this);
    }

    /** What the transport drives: hand this to the TCP connection. */
    ConnectionHandler transportHandler() {
        return transportEvents;
    }

    // ------------------------------------------------------------ state (loop thread)

    SessionState state() {
        return state;
    }

    /** The handshake succeeded: from now on the engine reads the input. */
    void open(Connection engine, WebSocketListener appListener, String requestPath, String agreedSubprotocol) {
        this.handshake = null;
        this.connection = engine;
        engine.autoPong(false); // EngineEvents answers, so a peer that does not read cannot pile up pongs
        engine.frameObserver(frameObserver);
        this.listener = appListener;
        this.path = requestPath;
        this.subprotocol = agreedSubprotocol;
        state = state.opened();
        transportEvents.startHeartbeat();
        dispatch(() -> appListener.onOpen(this));
    }

    /**
     * The opening handshake ended without a WebSocket (the answer is written). Closes by lingering:
     * FIN after the answer, input ignored until the peer's FIN or the close timeout, so the answer
     * is not destroyed by a reset if the peer's bytes are still arriving.
     */
    void refuse() {
        handshake = null;
        state = state.refused();
        tcp.shutdownOutput();
        transportEvents.armCloseTimeout();
    }

    /** A Close was sent or received, or the peer broke the protocol. */
    void closeStarted() {
        SessionState before = state;
        state = before.closeStarted();
        if (before == SessionState.OPEN) {
            transportEvents.armCloseTimeout();
        }
    }

    /** Server: the close handshake is over; FIN goes out after the bytes already queued. */
    void linger() {
        state = state.lingering();
        tcp.shutdownOutput();
        transportEvents.armCloseTimeout();
    }

    void tcpClosed() {
        state = state.tcpClosed();
    }

    /** Records the extensions agreed in the handshake, as the response header listed them. */
    void extensions(String agreed) {
        this.extensions = agreed;
    }

    TcpConnection tcp() {
        return tcp;
    }

    /** The compression state of this session's loop. */
    LoopBuffers buffers() {
        return buffers;
    }

    /** Bytes of the server's compression budget this connection holds until it closes. */
    long compressionReservation() {
        return compressionReservation;
    }

    void compressionReservation(long bytes) {
        this.compressionReservation = bytes;
    }

    WebSocketOptions options() {
        return options;
    }

    // ------------------------------------------------------------ output (loop thread)

    /** Starts a read batch: the engine's output for the whole batch is {@code out}, which the caller owns. */
    void beginBatch(ByteOutput out) {
        batchOutput = out;
    }

    void endBatch() {
        batchOutput = null;
    }

    /** The output for one engine call: the read batch's, or one borrowed from the loop until {@link #written}. */
    ByteOutput output() {
        ByteOutput batch = batchOutput;
        return batch != null ? batch : buffers.acquire();
    }

    /** After an engine call: a borrowed output goes to the socket and back to the loop; the batch's waits for its end. */
    void written(ByteOutput out) {
        if (out != batchOutput) {
            writeOut(out);
            buffers.release(out);
        }
    }

    /** After an engine call whose bytes must leave before anything else happens (a Close before a FIN). */
    void writtenNow(ByteOutput out) {
        if (out == batchOutput) {
            writeOut(out);
        } else {
            written(out);
        }
    }

    /** Writes what {@code out} holds to the socket and empties it. */
    void writeOut(ByteOutput out) {
        if (!out.isEmpty()) {
            tcp.write(out.flip());
            out.clear();
        }
    }

    // ------------------------------------------------------------ listener calls

    void dispatch(Runnable call) {
        if (listenerExecutor == null) {
            callListener(call);
        } else {
            listenerExecutor.execute(() -> callListener(call));
        }
    }

    /** Whether listener calls run on the loop (no executor), where buffers may be passed as views. */
    boolean listenersOnLoop() {
        return listenerExecutor == null;
    }

    void callListener(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
    }

    void listenerFailed(RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "WebSocket listener threw; closing the connection with 1011", e);
        close(CloseCodes.INTERNAL_ERROR, "Internal error");
    }

    static ByteBuffer copy(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data.duplicate()).flip();
        return copy;
    }

    // ------------------------------------------------------------ WebSocket: sending (any thread), see Sender

    @Override
    public boolean sendText(CharSequence text) {
        return sender.sendText(text, true);
    }

    @Override
    public boolean sendTextUncompressed(CharSequence text) {
        return sender.sendText(text, false);
    }

    @Override
    public boolean sendBinary(ByteBuffer data) {
        return sender.sendBinary(data, true);
    }

    @Override
    public boolean sendBinaryUncompressed(ByteBuffer data) {
        return sender.sendBinary(data, false);
    }

    @Override
    public boolean sendPrepared(PreparedMessage message) {
        return sender.sendPrepared(message);
    }

    @Override
    public boolean sendPart(boolean text, ByteBuffer part, boolean last) {
        return sender.sendPart(text, part, last);
    }

    @Override
    public boolean ping(ByteBuffer payload) {
        return sender.ping(payload);
    }

    @Override
    public void close(int code, String reason) {
        sender.close(code, reason);
    }

    @Override
    public void abort() {
        sender.abort();
    }

    @Override
    public void execute(Runnable task) {
        if (listenerExecutor != null) {
            listenerExecutor.execute(() -> callListener(task)); // in order with the listener events
        } else if (sender.sendsInline()) {
            callListener(task);
        } else {
            sender.handOffOrRun(() -> callListener(task));
        }
    }

    /** On the loop: runs the handed-off sends and tasks in call order. */
    void runHandedOff() {
        sender.runHandedOff();
    }

    /** Runs {@code task} on this connection's loop (queued, even when called there). */
    void runOnLoop(Runnable task) {
        sender.runOnLoop(task);
    }

    private boolean onLoop() {
        return tcp != null && tcp.loop().inEventLoop();
    }

    // ------------------------------------------------------------ WebSocket: the rest (any thread)

    @Override
    public long bufferedAmount() {
        TcpConnection t = tcp;
        return sender.handedOffBytes() + (t == null ? 0 : t.bufferedBytes());
    }

    @Override
    public boolean isOpen() {
        return state == SessionState.OPEN;
    }

    @Override
    public boolean isClosed() {
        return state == SessionState.CLOSED;
    }

    @Override
    public String subprotocol() {
        return subprotocol;
    }

    @Override
    public String extensions() {
        return extensions;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public SocketAddress remoteAddress() {
        TcpConnection t = tcp;
        return t == null ? null : t.remoteAddress();
    }

    /** See {@link FrameTracing#observe}. */
    void observeFrames(FrameObserver observer) {
        if (tcp != null && !onLoop()) {
            runOnLoop(() -> observeFrames(observer));
            return;
        }
        frameObserver = observer == null ? null : new GuardedObserver(observer);
        if (connection != null) {
            connection.frameObserver(frameObserver);
        }
    }

    /** An application observer that throws is removed, so tracing can never break the connection. */
    private final class GuardedObserver implements FrameObserver {
        private final FrameObserver delegate;

        GuardedObserver(FrameObserver delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onFrame(FrameTrace trace) {
            try {
                delegate.onFrame(trace);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Frame observer threw; removed from " + Session.this, e);
                if (frameObserver == this) {
                    frameObserver = null;
                    if (connection != null) {
                        connection.frameObserver(null);
                    }
                }
            }
        }
    }

    @Override
    public synchronized Object attribute(String name) {
        return attributes == null ? null : attributes.get(name);
    }

    @Override
    public synchronized void attribute(String name, Object value) {
        if (value == null) {
            if (attributes != null) {
                attributes.remove(name);
            }
            return;
        }
        if (attributes == null) {
            attributes = new HashMap<>(4);
        }
        attributes.put(name, value);
    }

    @Override
    public String toString() {
        return "WebSocket[" + role + " " + remoteAddress() + " " + state + "]";
    }
}
