package dev.duplex.websocket.internal;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.FrameObserver;
import dev.duplex.protocol.FrameTrace;
import dev.duplex.protocol.PreparedFrame;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.frame.FrameBits;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One WebSocket connection as the application holds it: the {@link WebSocket} methods, the
 * connection's {@link SessionState}, and the sending side. What the transport and the engine
 * report arrives at two separate objects, {@link TransportEvents} and {@link EngineEvents}, so
 * none of their callbacks is a method of what the application holds; {@link CloseHandshake}
 * moves the connection through closing.
 *
 * <p>Threading: one event loop owns the session. Everything but the {@link WebSocket} methods runs
 * on it; those run at once when called on it, and otherwise join the {@link HandOffQueue}, which
 * the loop runs in call order.
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

    /** Created on the first send from another thread; see {@link HandOffQueue}. */
    private volatile HandOffQueue handOffs;
    private static final AtomicReferenceFieldUpdater<Session, HandOffQueue> HAND_OFFS =
            AtomicReferenceFieldUpdater.newUpdater(Session.class, HandOffQueue.class, "handOffs");

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

    // ------------------------------------------------------------ WebSocket: sending (any thread)

    @Override
    public boolean sendText(CharSequence text) {
        return sendText(text, true);
    }

    @Override
    public boolean sendTextUncompressed(CharSequence text) {
        return sendText(text, false);
    }

    private boolean sendText(CharSequence text, boolean mayCompress) {
        if (!sendsInline()) {
            String snapshot = text.toString();
            return handOff(snapshot.length(), () -> sendTextNow(snapshot, mayCompress));
        }
        return sendTextNow(text, mayCompress);
    }

    private boolean sendTextNow(CharSequence text, boolean mayCompress) {
        if (!canSend(text.length())) {
            return false;
        }
        ByteOutput out = output();
        try {
            connection.sendText(text, mayCompress, out);
        } finally {
            written(out);
        }
        return true;
    }

    @Override
    public boolean sendBinary(ByteBuffer data) {
        return sendBinary(data, true);
    }

    @Override
    public boolean sendBinaryUncompressed(ByteBuffer data) {
        return sendBinary(data, false);
    }

    private boolean sendBinary(ByteBuffer data, boolean mayCompress) {
        if (!sendsInline()) {
            ByteBuffer snapshot = copy(data);
            return handOff(snapshot.remaining(), () -> sendBinaryNow(snapshot, mayCompress));
        }
        return sendBinaryNow(data, mayCompress);
    }

    private boolean sendBinaryNow(ByteBuffer data, boolean mayCompress) {
        if (!canSend(data.remaining())) {
            return false;
        }
        ByteOutput out = output();
        try {
            connection.sendBinary(data, mayCompress, out);
        } finally {
            written(out);
        }
        return true;
    }

    @Override
    public boolean sendPrepared(PreparedMessage message) {
        PreparedFrame frame = Prepared.frameOf(message);
        if (!sendsInline()) {
            return handOff(frame.payloadLength(), () -> sendPreparedNow(frame)); // immutable: no copy
        }
        return sendPreparedNow(frame);
    }

    private boolean sendPreparedNow(PreparedFrame frame) {
        if (!canSend(frame.payloadLength())) {
            return false;
        }
        ByteOutput out = output();
        try {
            connection.sendPrepared(frame, out);
        } finally {
            written(out);
        }
        return true;
    }

    @Override
    public boolean sendPart(boolean text, ByteBuffer part, boolean last) {
        if (!sendsInline()) {
            ByteBuffer snapshot = copy(part);
            return handOff(snapshot.remaining(), () -> sendPartNow(text, snapshot, last));
        }
        return sendPartNow(text, part, last);
    }

    private boolean sendPartNow(boolean text, ByteBuffer part, boolean last) {
        if (!canSend(part.remaining())) {
            return false;
        }
        ByteOutput out = output();
        try {
            connection.sendPart(text, part, last, out);
        } finally {
            written(out);
        }
        return true;
    }

    @Override
    public boolean ping(ByteBuffer payload) {
        FrameBits.checkControlPayload("Ping", payload.remaining());
        if (!sendsInline()) {
            ByteBuffer snapshot = copy(payload);
            return handOff(snapshot.remaining(), () -> pingNow(snapshot));
        }
        return pingNow(payload);
    }

    private boolean pingNow(ByteBuffer payload) {
        if (!canSend(payload.remaining())) {
            return false;
        }
        ByteOutput out = output();
        try {
            connection.sendPing(payload, out);
        } finally {
            written(out);
        }
        return true;
    }

    /** Whether a send of {@code bytes} may go now; closes a slow consumer (1008) when it may not. */
    private boolean canSend(long bytes) {
        if (connection == null || connection.state() != Connection.State.OPEN) {
            return false;
        }
        if (tcp.bufferedBytes() + bytes > options.maxQueuedBytes()) {
            if (bytes > options.maxQueuedBytes()) {
                // Not the peer's fault: this message can never fit. Said where the sender will look.
                LOG.log(System.Logger.Level.WARNING, "A message of {0} bytes is larger than the send queue ({1} bytes, "
                        + "WebSocketOptions.maxQueuedBytes); raise it to send such messages", bytes, options.maxQueuedBytes());
            }
            LOG.log(System.Logger.Level.DEBUG, "Closing slow consumer {0}", tcp.remoteAddress());
            closing.closeSlowConsumer();
            return false;
        }
        return true;
    }

    @Override
    public void close(int code, String reason) {
        CloseCodes.checkCode(code);
        CloseCodes.checkReason(reason);
        if (!sendsInline()) {
            // After the sends handed off before it: through the same queue.
            handOffOrRun(() -> closing.closeLocally(code, reason));
            return;
        }
        closing.closeLocally(code, reason);
    }

    @Override
    public void abort() {
        if (!onLoop()) {
            runOnLoop(this::abort);
            return;
        }
        if (tcp != null) {
            tcp.close();
        }
    }

    @Override
    public void execute(Runnable task) {
        if (listenerExecutor != null) {
            listenerExecutor.execute(() -> callListener(task)); // in order with the listener events
        } else if (sendsInline()) {
            callListener(task);
        } else {
            handOffOrRun(() -> callListener(task));
        }
    }

    // ------------------------------------------------------------ hand-off to the loop

    private boolean onLoop() {
        return tcp != null && tcp.loop().inEventLoop();
    }

    /**
     * A send runs at once only on the loop and only when no send from another thread is still
     * waiting for the loop: otherwise it would overtake it, and messages of one connection must
     * leave in the order they were sent. Inside a task the queue is running (a task given to
     * {@code execute}), a send is at the task's place in the queue: what follows in it was handed
     * over after the task.
     */
    private boolean sendsInline() {
        if (!onLoop()) {
            return false;
        }
        HandOffQueue queue = handOffs;
        if (queue != null && queue.mustRunFirst()) {
            queue.run(); // the earlier sends first
        }
        return true;
    }

    /** Sends from another thread: counted in bufferedAmount until the loop has run them. */
    private boolean handOff(long bytes, Runnable send) {
        if (state != SessionState.OPEN || tcp == null) {
            return false;
        }
        HandOffQueue queue = handOffs;
        if (queue == null) {
            HAND_OFFS.compareAndSet(this, null, new HandOffQueue());
            queue = handOffs;
        }
        if (queue.add(bytes, send) && !Fanout.defer(this, tcp.loop())) {
            tcp.loop().execute(this::runHandedOff);
        }
        return true;
    }

    /** Queues a task behind the handed-off sends, or runs it on the loop if the connection is not open. */
    private void handOffOrRun(Runnable task) {
        if (!handOff(0, task)) {
            runOnLoop(task);
        }
    }

    /** On the loop: runs the handed-off sends and tasks in call order. */
    void runHandedOff() {
        HandOffQueue queue = handOffs;
        if (queue != null) {
            queue.run();
        }
    }

    /** Runs {@code task} on this connection's loop (queued, even when called there). */
    void runOnLoop(Runnable task) {
        TcpConnection t = tcp;
        if (t != null) {
            try {
                t.loop().execute(task);
            } catch (RejectedExecutionException stopped) {
                // the loop stopped with its server or client: nothing is left to run it for
            }
        }
    }

    // ------------------------------------------------------------ WebSocket: the rest (any thread)

    @Override
    public long bufferedAmount() {
        TcpConnection t = tcp;
        HandOffQueue queue = handOffs;
        return (queue == null ? 0 : queue.bytes()) + (t == null ? 0 : t.bufferedBytes());
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
