package dev.duplex.websocket.internal;

import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.frame.FrameBits;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.ConnectionListener;
import dev.duplex.protocol.FrameObserver;
import dev.duplex.protocol.FrameTrace;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.Role;
import dev.duplex.transport.ConnectionHandler;
import dev.duplex.transport.TcpConnection;
import dev.duplex.websocket.PreparedMessage;
import dev.duplex.websocket.ReadyState;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.WebSocketOptions;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * One WebSocket connection: the bridge between a {@link TcpConnection} (bytes) and a
 * {@link Connection} (protocol), and the {@link WebSocket} the application holds. During the
 * opening handshake a {@link HandshakeStage} reads the input; afterwards the engine does.
 *
 * <p>Everything except the {@link WebSocket} methods runs on the connection's event loop thread;
 * those methods hop to it when called from elsewhere.
 */
public final class Session implements WebSocket, ConnectionListener, ConnectionHandler {
    private static final System.Logger LOG = System.getLogger("dev.duplex.websocket");
    /** What {@link #enqueueHandOff} did. */
    private static final int NOT_QUEUED = -1;
    private static final int QUEUED = 0;
    private static final int FIRST_HAND_OFF = 1;

    /** What the connection's single transport deadline is currently for. */
    private enum Timer { NONE, HANDSHAKE, HEARTBEAT, PONG, CLOSE }

    private final Role role;
    private final WebSocketOptions options;
    private final Executor listenerExecutor;
    private final SessionHost host;

    private HandshakeStage handshake;
    private TcpConnection tcp;
    private LoopOutput output;
    private Connection connection;
    private WebSocketListener listener;
    private volatile ReadyState readyState = ReadyState.CONNECTING;
    private String path;
    private String subprotocol;
    private String extensions = "";
    private Map<String, Object> attributes;
    /** The application's frame observer (guarded), or null; loop thread only once the connection is up. */
    private FrameObserver frameObserver;

    private boolean inReadBatch;
    /** The loop is running the hand-off queue: a send from a task in it does not drain it again. */
    private boolean runningHandOffs;
    /** Reading stopped because the send queue passed the transport's high watermark. */
    private boolean readPaused;
    private boolean lingering;
    private ByteBuffer pendingPong;
    private long compressionReservation;
    private long pingWindowStart;
    private int pingsInWindow;
    private Timer timer = Timer.NONE;
    private long lastReadNanos;
    private long pingSentNanos;

    private int closeCode = CloseCodes.ABNORMAL;
    private String closeReason = "";
    private boolean closeCodeFinal;
    private boolean closeReported;
    /** Bytes of sends handed to the loop by other threads and not yet run; a field, not an AtomicLong, to keep idle sessions small. */
    private volatile long handedOffBytes;
    private static final AtomicLongFieldUpdater<Session> HANDED_OFF =
            AtomicLongFieldUpdater.newUpdater(Session.class, "handedOffBytes");
    /**
     * Sends other threads handed to the loop, in call order, until the loop runs them. A send on
     * the loop runs these first, so that it never overtakes one that was made before it. Created on
     * the first hand-off: idle connections that are only written on their loop never pay for it.
     */
    private volatile ConcurrentLinkedQueue<HandedOff> handedOffSends;
    private static final AtomicReferenceFieldUpdater<Session, ConcurrentLinkedQueue> HANDED_OFF_SENDS =
            AtomicReferenceFieldUpdater.newUpdater(Session.class, ConcurrentLinkedQueue.class, "handedOffSends");
    /** Hand-offs queued and not yet run; the one that makes it 1 schedules the loop task. */
    private volatile int pendingHandOffs;
    private static final AtomicIntegerFieldUpdater<Session> PENDING_HAND_OFFS =
            AtomicIntegerFieldUpdater.newUpdater(Session.class, "pendingHandOffs");

    private record HandedOff(long bytes, Runnable send) {
    }

    Session(Role role, WebSocketOptions options, Executor listenerExecutor, SessionHost host, HandshakeStage handshake) {
        this.role = role;
        this.options = options;
        this.listenerExecutor = listenerExecutor == null ? null : new SerialExecutor(listenerExecutor);
        this.host = host;
        this.handshake = handshake;
    }

    // ------------------------------------------------------------ transport events (loop thread)

    @Override
    public void onOpen(TcpConnection connection) {
        this.tcp = connection;
        this.output = LoopOutput.current();
        arm(Timer.HANDSHAKE, options.handshakeTimeout().toNanos());
        handshake.onOpen(this);
    }

    @Override
    public void onData(TcpConnection connection, ByteBuffer data) {
        if (handshake != null) {
            handshake.onData(this, data);
            if (handshake != null || !data.hasRemaining()) {
                data.position(data.limit());
                return;
            }
        }
        if (this.connection == null) {
            data.position(data.limit()); // a rejected handshake: nothing after it is processed
            return;
        }
        lastReadNanos = tcp.loop().nanoTime();
        inReadBatch = true;
        try {
            output.claim(this);
            this.connection.receive(data);
        } finally {
            inReadBatch = false;
        }
        output.flush(this);
        if (tcp.bufferedBytes() > options.maxQueuedBytes() && this.connection.state() == Connection.State.OPEN) {
            // Replies the engine queued by itself (pongs, echoes) count against the same bound.
            closeLocally(CloseCodes.POLICY_VIOLATION, "Send queue passed " + options.maxQueuedBytes()
                    + " bytes: the peer reads too slowly");
        }
        if (!readPaused && !tcp.isWritable()) {
            // What we read produced more than the peer is taking (an echo to a peer that does not
            // read): read no more until it drained, so TCP flow control pushes back on the peer
            // instead of our queue growing. onWritable resumes.
            readPaused = true;
            tcp.setReadInterest(false);
        }
        sendPendingPong();
        afterEngineStep();
    }

    @Override
    public void onWritable(TcpConnection connection) {
        if (readPaused) {
            readPaused = false;
            tcp.setReadInterest(true);
        }
        sendPendingPong();
        if (readyState == ReadyState.OPEN) {
            dispatch(() -> listener.onWritable(this));
        }
    }

    @Override
    public void onEndOfInput(TcpConnection connection) {
        if (this.connection == null && (handshake == null || handshake.answerPending(this))) {
            // An answer to the request is being written (after abandonHandshake) or prepared (plain
            // HTTP): the transport closes once our FIN is out; the close timeout bounds the flush.
            return;
        }
        if (this.connection != null && !this.connection.receiveEof()) {
            setClose(CloseCodes.ABNORMAL, "Connection dropped without a close handshake", false);
        }
        tcp.close();
    }

    @Override
    public void onClosed(TcpConnection connection, Throwable cause) {
        readyState = ReadyState.CLOSED;
        if (this.connection != null) {
            this.connection.release(); // zlib state ends now, not when the GC finds it
        }
        if (output != null) {
            output.release(this);
        }
        if (handshake != null) {
            handshake.onClosed(this, cause);
            handshake = null;
        }
        if (cause != null && this.connection != null && this.connection.state() != Connection.State.CLOSED) {
            setClose(CloseCodes.ABNORMAL, "Connection lost: " + cause.getMessage(), false);
            WebSocketListener l = listener;
            if (l != null) {
                dispatch(() -> l.onError(this, cause));
            }
        }
        reportClose();
        host.onSessionClosed(this);
    }

    @Override
    public void onDeadline(TcpConnection connection) {
        long now = tcp.loop().nanoTime();
        switch (timer) {
            case HANDSHAKE -> {
                timer = Timer.NONE;
                if (handshake != null) {
                    handshake.onTimeout(this);
                }
            }
            case HEARTBEAT -> heartbeat(now);
            case PONG -> {
                if (lastReadNanos - pingSentNanos > 0) {
                    heartbeat(now);
                } else {
                    fail(new TimeoutException("Sent a ping but received nothing within "
                            + options.pongTimeout().toMillis() + " ms: the peer is gone"));
                }
            }
            case CLOSE -> {
                timer = Timer.NONE;
                if (this.connection != null && this.connection.state() != Connection.State.CLOSED
                        && !this.connection.isFailed()) {
                    closeCodeFinal = false;
                    setClose(CloseCodes.ABNORMAL, "The peer did not finish the close handshake within "
                            + options.closeTimeout().toMillis() + " ms", true);
                }
                tcp.close();
            }
            case NONE -> {
            }
        }
    }

    /** Idle timeout and ping heartbeat, both measured from the last byte received. */
    private void heartbeat(long now) {
        long idle = now - lastReadNanos;
        long idleTimeout = options.idleTimeout().toNanos();
        long pingInterval = options.pingInterval().toNanos();
        if (idleTimeout > 0 && idle >= idleTimeout) {
            closeLocally(CloseCodes.GOING_AWAY, "Idle for more than " + options.idleTimeout().toMillis() + " ms");
            return;
        }
        if (pingInterval > 0 && idle >= pingInterval) {
            pingSentNanos = now;
            long stamp = now;
            ByteBuffer payload = ByteBuffer.allocate(8).putLong(0, stamp);
            output.claim(this);
            connection.sendPing(payload);
            output.flush(this);
            arm(Timer.PONG, options.pongTimeout().toNanos());
            return;
        }
        armHeartbeat(now);
    }

    private void armHeartbeat(long now) {
        long idleTimeout = options.idleTimeout().toNanos();
        long pingInterval = options.pingInterval().toNanos();
        long next = Long.MAX_VALUE;
        if (idleTimeout > 0) {
            next = Math.min(next, lastReadNanos + idleTimeout - now);
        }
        if (pingInterval > 0) {
            next = Math.min(next, lastReadNanos + pingInterval - now);
        }
        if (next == Long.MAX_VALUE) {
            arm(Timer.NONE, 0);
        } else {
            arm(Timer.HEARTBEAT, Math.max(next, TimeUnit.MILLISECONDS.toNanos(1)));
        }
    }

    private void arm(Timer kind, long nanos) {
        timer = kind;
        tcp.setDeadline(kind == Timer.NONE ? 0 : nanos, TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------ handshake outcome (loop thread)

    /** The opening handshake succeeded: from now on the engine reads the input. */
    /** Records the extensions agreed in the handshake, as the response header listed them. */
    void extensions(String agreed) {
        this.extensions = agreed;
    }

    void open(Connection engine, WebSocketListener appListener, String requestPath, String agreedSubprotocol) {
        this.handshake = null;
        this.connection = engine;
        engine.autoPong(false); // onPing answers, so a peer that does not read cannot pile up pongs
        engine.frameObserver(frameObserver);
        this.listener = appListener;
        this.path = requestPath;
        this.subprotocol = agreedSubprotocol;
        this.readyState = ReadyState.OPEN;
        this.lastReadNanos = tcp.loop().nanoTime();
        armHeartbeat(lastReadNanos);
        dispatch(() -> appListener.onOpen(this));
    }

    /**
     * The opening handshake failed before a listener was involved. Closes by lingering (FIN after
     * the answer, input ignored until the peer's FIN or the close timeout) so the answer is not
     * destroyed by a reset if the peer's bytes are still arriving.
     */
    void abandonHandshake() {
        handshake = null;
        tcp.shutdownOutput();
        arm(Timer.CLOSE, options.closeTimeout().toNanos());
    }

    TcpConnection tcp() {
        return tcp;
    }

    /** Bytes of the server's compression budget this connection holds until it closes. */
    long compressionReservation() {
        return compressionReservation;
    }

    void compressionReservation(long bytes) {
        this.compressionReservation = bytes;
    }

    LoopOutput output() {
        return output;
    }

    Role role() {
        return role;
    }

    WebSocketOptions options() {
        return options;
    }

    // ------------------------------------------------------------ engine events (loop thread)

    @Override
    public void onText(ByteBuffer utf8) {
        String text = StandardCharsets.UTF_8.decode(utf8).toString();
        if (listenerExecutor == null) {
            callListener(() -> listener.onText(this, text));
        } else {
            listenerExecutor.execute(() -> callListener(() -> listener.onText(this, text)));
        }
    }

    @Override
    public void onBinary(ByteBuffer data) {
        if (listenerExecutor == null) {
            try {
                listener.onBinary(this, data);
            } catch (RuntimeException e) {
                listenerFailed(e);
            }
            output.claim(this);
        } else {
            ByteBuffer copy = copy(data);
            listenerExecutor.execute(() -> callListener(() -> listener.onBinary(this, copy)));
        }
    }

    @Override
    public void onMessagePart(boolean text, ByteBuffer part, boolean last) {
        ByteBuffer view = listenerExecutor == null ? part : copy(part);
        dispatch(() -> listener.onMessagePart(this, text, view, last));
    }

    @Override
    public void onPing(ByteBuffer payload) {
        long now = tcp.loop().nanoTime();
        if (now - pingWindowStart > TimeUnit.SECONDS.toNanos(1)) {
            pingWindowStart = now;
            pingsInWindow = 0;
        }
        if (++pingsInWindow > options.maxPingsPerSecond()) {
            closeLocally(CloseCodes.POLICY_VIOLATION, "More than " + options.maxPingsPerSecond() + " pings per second");
            return;
        }
        if (connection.state() == Connection.State.OPEN) {
            if (tcp.bufferedBytes() == 0) {
                output.claim(this);
                connection.sendPong(payload);
            } else {
                // The peer is not reading: remember only the latest ping (RFC 6455 §5.5.3).
                pendingPong = copyInto(pendingPong, payload);
            }
        }
        ByteBuffer copy = copy(payload);
        dispatch(() -> listener.onPing(this, copy));
    }

    /** Answers the latest unanswered ping once the send queue has drained. */
    private void sendPendingPong() {
        if (pendingPong != null && tcp.bufferedBytes() == 0 && connection.state() == Connection.State.OPEN) {
            output.claim(this);
            connection.sendPong(pendingPong.flip());
            pendingPong = null;
            output.flush(this);
        }
    }

    private static ByteBuffer copyInto(ByteBuffer target, ByteBuffer payload) {
        ByteBuffer buffer = target == null ? ByteBuffer.allocate(125) : target.clear();
        return buffer.put(payload.duplicate());
    }

    @Override
    public void onPong(ByteBuffer payload) {
        ByteBuffer copy = copy(payload);
        dispatch(() -> listener.onPong(this, copy));
    }

    @Override
    public void onCloseReceived(int code, String reason) {
        setClose(code, reason, false);
        readyState = ReadyState.CLOSING;
    }

    @Override
    public void onProtocolError(ProtocolException error) {
        setClose(error.closeCode(), error.getMessage(), true);
        readyState = ReadyState.CLOSING;
        LOG.log(System.Logger.Level.DEBUG, "Failing {0}: {1}", tcp.remoteAddress(), error.getMessage());
        dispatch(() -> listener.onError(this, error));
    }

    /**
     * After the engine consumed input or sent a Close: move the TCP connection along the close
     * handshake. A server closes TCP first once the handshake is complete (RFC 6455 §7.1.1), and at
     * once after failing the connection (§7.1.7), where the peer's Close may never come. It closes
     * by lingering: FIN after the queued bytes, then reading (and ignoring) until the peer's FIN or
     * the close timeout, because closing a socket with unread input sends a reset that can destroy
     * the Close frame still on its way to the peer.
     */
    private void afterEngineStep() {
        Connection.State state = connection.state();
        if (state == Connection.State.OPEN) {
            return;
        }
        boolean serverDone = role == Role.SERVER && (state == Connection.State.CLOSED || connection.isFailed());
        if (serverDone && !lingering) {
            lingering = true;
            tcp.shutdownOutput();
            arm(Timer.CLOSE, options.closeTimeout().toNanos());
        } else if (!serverDone && timer != Timer.CLOSE) {
            // Client: wait for the server's Close, then for its FIN (RFC 6455 §7.1.1).
            arm(Timer.CLOSE, options.closeTimeout().toNanos());
        }
    }

    private void setClose(int code, String reason, boolean isFinal) {
        if (!closeCodeFinal) {
            closeCode = code;
            closeReason = reason == null ? "" : reason;
            closeCodeFinal = isFinal;
        }
    }

    private void reportClose() {
        if (closeReported || listener == null) {
            return;
        }
        closeReported = true;
        int code = closeCode;
        String reason = closeReason;
        WebSocketListener l = listener;
        dispatch(() -> l.onClose(this, code, reason));
    }

    private void fail(Throwable error) {
        setClose(CloseCodes.ABNORMAL, error.getMessage(), true);
        WebSocketListener l = listener;
        if (l != null) {
            dispatch(() -> l.onError(this, error));
        }
        tcp.close();
    }

    // ------------------------------------------------------------ dispatch to the application

    private void dispatch(Runnable call) {
        if (listenerExecutor == null) {
            callListener(call);
        } else {
            listenerExecutor.execute(() -> callListener(call));
        }
    }

    private void callListener(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
        if (output != null && tcp != null && tcp.loop().inEventLoop()) {
            output.claim(this); // the listener may have written to other sessions of this loop
        }
    }

    private void listenerFailed(RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "WebSocket listener threw; closing the connection with 1011", e);
        close(CloseCodes.INTERNAL_ERROR, "Internal error");
    }

    private static ByteBuffer copy(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data.duplicate()).flip();
        return copy;
    }

    // ------------------------------------------------------------ WebSocket (any thread)

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
        output.claim(this);
        connection.sendText(text, mayCompress);
        afterSend();
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
        output.claim(this);
        connection.sendBinary(data, mayCompress);
        afterSend();
        return true;
    }

    @Override
    public boolean sendPrepared(PreparedMessage message) {
        if (!sendsInline()) {
            return handOff(message.payloadLength(), () -> sendPreparedNow(message)); // immutable: no copy
        }
        return sendPreparedNow(message);
    }

    private boolean sendPreparedNow(PreparedMessage message) {
        if (!canSend(message.payloadLength())) {
            return false;
        }
        output.claim(this);
        connection.sendPrepared(message.frame());
        afterSend();
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
        output.claim(this);
        connection.sendPart(text, part, last);
        afterSend();
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
        output.claim(this);
        connection.sendPing(payload);
        afterSend();
        return true;
    }

    @Override
    public void close(int code, String reason) {
        if (!CloseCodes.isValidOnWire(code)) {
            throw new IllegalArgumentException("Close code " + code + " may not be sent (RFC 6455 §7.4)");
        }
        CloseCodes.checkReason(reason);
        if (!sendsInline()) {
            // After the sends handed off before it: through the same queue.
            handOffOrRun(() -> closeLocally(code, reason));
            return;
        }
        closeLocally(code, reason);
    }

    private void closeLocally(int code, String reason) {
        if (connection == null) {
            if (tcp != null && handshake != null) {
                abandonHandshake();
            }
            return;
        }
        if (connection.state() != Connection.State.OPEN) {
            return;
        }
        readyState = ReadyState.CLOSING;
        setClose(code, reason, false);
        output.claim(this);
        connection.sendClose(code, reason);
        output.flush(this);
        afterEngineStep();
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
    public long bufferedAmount() {
        TcpConnection t = tcp;
        return handedOffBytes + (t == null ? 0 : t.bufferedBytes());
    }

    @Override
    public ReadyState readyState() {
        return readyState;
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

    @Override
    public void observeFrames(FrameObserver observer) {
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
            } finally {
                // The engine is in the middle of its work (it may write a Close reply or the next
                // fragment right after): if the observer wrote to another session of this loop, the
                // loop's output buffer must be ours again before the engine goes on, or our bytes
                // would leave on that session's socket.
                if (output != null && tcp != null && tcp.loop().inEventLoop()) {
                    output.claim(Session.this);
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

    private boolean onLoop() {
        return tcp != null && tcp.loop().inEventLoop();
    }

    /**
     * A send runs at once only on the loop and only when no send from another thread is still
     * waiting for the loop: otherwise it would overtake it, and messages of one connection must
     * leave in the order they were sent.
     */
    private boolean sendsInline() {
        if (!onLoop()) {
            return false;
        }
        if (pendingHandOffs != 0 && !runningHandOffs) {
            runHandedOff(); // the earlier sends first
        }
        // Inside runHandedOff (a task given to execute), a send is at the task's place in the queue:
        // what follows in the queue was handed over after the task.
        return true;
    }

    /** Runs {@code task} on this connection's loop (queued, even when called there). */
    void runOnLoop(Runnable task) {
        TcpConnection t = tcp;
        if (t != null) {
            try {
                t.loop().execute(task);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // the loop stopped with its server or client: nothing is left to run it for
            }
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

    /** Sends from another thread: counted in bufferedAmount until the loop has run them. */
    private boolean handOff(long bytes, Runnable send) {
        int queued = enqueueHandOff(bytes, send);
        if (queued == FIRST_HAND_OFF && !Fanout.defer(this, tcp.loop())) {
            tcp.loop().execute(this::runHandedOff);
        }
        return queued != NOT_QUEUED;
    }

    /**
     * Appends a send to the hand-off queue, in call order. {@link #FIRST_HAND_OFF}: nothing was
     * pending, so the caller must have {@link #runHandedOff} run on the loop; {@link #QUEUED}: a
     * run is already due and will take this one too.
     */
    private int enqueueHandOff(long bytes, Runnable send) {
        if (readyState != ReadyState.OPEN || tcp == null) {
            return NOT_QUEUED;
        }
        ConcurrentLinkedQueue<HandedOff> queue = handedOffSends;
        if (queue == null) {
            HANDED_OFF_SENDS.compareAndSet(this, null, new ConcurrentLinkedQueue<HandedOff>());
            queue = handedOffSends;
        }
        HANDED_OFF.addAndGet(this, bytes);
        queue.add(new HandedOff(bytes, send));
        return PENDING_HAND_OFFS.getAndIncrement(this) == 0 ? FIRST_HAND_OFF : QUEUED;
    }

    /** Queues a task behind the handed-off sends, or runs it on the loop if the connection is not open. */
    private void handOffOrRun(Runnable task) {
        if (!handOff(0, task)) {
            runOnLoop(task);
        }
    }

    /** Runs the handed-off sends (and tasks) in call order; on the loop. Not re-entered. */
    void runHandedOff() {
        ConcurrentLinkedQueue<HandedOff> queue = handedOffSends;
        if (queue == null || runningHandOffs) {
            return;
        }
        runningHandOffs = true;
        try {
            HandedOff next;
            while ((next = queue.poll()) != null) {
                HANDED_OFF.addAndGet(this, -next.bytes());
                try {
                    next.send().run();
                } finally {
                    PENDING_HAND_OFFS.decrementAndGet(this);
                }
            }
        } finally {
            runningHandOffs = false;
        }
    }

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
            closeLocally(CloseCodes.POLICY_VIOLATION, "Send queue passed " + options.maxQueuedBytes()
                    + " bytes: the peer reads too slowly");
            return false;
        }
        return true;
    }

    private void afterSend() {
        if (!inReadBatch) {
            output.flush(this);
        }
    }

    /** Writes engine output to the socket; called by {@link LoopOutput}. */
    void writeOut(ByteBuffer bytes) {
        tcp.write(bytes);
    }

    @Override
    public String toString() {
        return "WebSocket[" + role + " " + remoteAddress() + " " + readyState + "]";
    }
}
