package dev.duplex.protocol;

import static dev.duplex.protocol.frame.FrameBits.MAX_CONTROL_PAYLOAD;

import dev.duplex.protocol.extension.deflate.PerMessageDeflate;
import dev.duplex.protocol.frame.FrameBits;
import dev.duplex.protocol.frame.FrameParser;
import dev.duplex.protocol.frame.FrameWriter;
import dev.duplex.protocol.frame.Masking;
import dev.duplex.protocol.frame.Utf8;
import dev.duplex.protocol.frame.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * One WebSocket connection after the opening handshake, without I/O: {@link #receive} takes the
 * bytes read from the socket and reports messages to the {@link ConnectionListener} it is given;
 * the {@code send…} methods append frames to the {@link ByteOutput} they are given, which the
 * caller owns and writes out. The engine keeps no reference to either between calls. Pongs and
 * the reply to a Close are appended automatically. There are no threads, clocks or sockets here:
 * timeouts and closing the TCP connection belong to the caller, which reads {@link #state()}.
 *
 * <p>Lifecycle: {@code OPEN → CLOSING} (we sent Close) {@code → CLOSED} (theirs arrived), or
 * {@code OPEN → CLOSED} directly when the peer closes first and we reply. {@link #closeInitiator()}
 * tells which side started.
 *
 * <p>This class is not thread safe: one thread (the connection's event loop) calls it.
 */
public final class Connection {

    /** Where the close handshake stands. */
    public enum State { OPEN, CLOSING, CLOSED }

    /** Which side sent the first Close frame. */
    public enum Initiator { LOCAL, REMOTE }

    private static final int NO_MESSAGE = -1;

    private final Role role;
    private final Limits limits;
    private final Random maskSource;
    private final FrameParser parser;
    private final FrameEvents frameEvents = new FrameEvents();
    private final PerMessageDeflate deflate;

    private State state = State.OPEN;
    private Initiator initiator;
    private boolean autoPong = true;
    private boolean failed;
    private FrameObserver observer;

    /** The inbound data message in progress. */
    private final InboundMessage message;

    // Inbound frame being read.
    private Opcode frameOpcode;
    private boolean frameFin;
    private int frameRsv;
    private boolean discardFrame;
    /** An inbound Close frame is to be reported to the observer once its payload (the code) is read. */
    private boolean closeTracePending;
    private long closeTraceLength;
    private byte[] control;
    private ByteBuffer controlView;
    private int controlLength;

    // Outbound fragmented message in progress: its opcode, or NO_MESSAGE; and whether it is compressed.
    private int sendingOpcode = NO_MESSAGE;
    private boolean sendingCompressed;

    /**
     * @param maskSource the source of mask keys for a client, which RFC 6455 §5.3 requires to be
     *     unpredictable: pass a {@link java.security.SecureRandom}; a seeded {@link Random} only in
     *     tests. Unused by a server (may be null).
     */
    public Connection(Role role, Limits limits, Random maskSource) {
        this(role, limits, maskSource, null);
    }

    /**
     * @param deflate permessage-deflate as agreed in the handshake, or null when not negotiated;
     *     it claims RSV1 (RFC 7692 §6)
     */
    public Connection(Role role, Limits limits, Random maskSource, PerMessageDeflate deflate) {
        if (role == Role.CLIENT && maskSource == null) {
            throw new IllegalArgumentException("A client connection needs a mask source (RFC 6455 §5.3)");
        }
        this.role = role;
        this.limits = limits;
        this.maskSource = maskSource;
        this.deflate = deflate;
        this.parser = new FrameParser(role, deflate == null ? 0 : FrameBits.B0_RSV1);
        this.message = new InboundMessage(limits, deflate);
    }

    /**
     * Whether a pong is queued automatically for each ping (the default). A caller that turns it
     * off answers from {@link ConnectionListener#onPing} with {@link #sendPong}, which lets it
     * answer only the latest of several unanswered pings (RFC 6455 §5.5.3) when the peer is not
     * reading.
     */
    public void autoPong(boolean on) {
        this.autoPong = on;
    }

    /**
     * Shares a budget for incomplete-message buffers with other connections (default: unlimited).
     * A message whose buffer would pass it fails the connection with 1013.
     */
    public void memoryBudget(MemoryBudget budget) {
        message.memoryBudget(budget);
    }

    /**
     * Reports every frame read or written from now on to {@code frameObserver} (null, the default,
     * to stop): data and control frames, including the pongs and Close replies the engine writes
     * by itself. An inbound frame is reported when its header has been read, before its payload;
     * a Close frame once it is complete, with its code and reason. A compressed message is
     * reported as on the wire (RSV1, compressed length). Without an observer this costs one null
     * check per frame. The observer runs on the caller's thread, inside {@link #receive} and the
     * {@code send…} methods: it must be quick and must not call this connection.
     */
    public void frameObserver(FrameObserver frameObserver) {
        this.observer = frameObserver;
    }

    /** The observer set with {@link #frameObserver(FrameObserver)}, or null. */
    public FrameObserver frameObserver() {
        return observer;
    }

    /** Whether permessage-deflate is in use. */
    public boolean isCompressing() {
        return deflate != null;
    }

    /**
     * Releases compression state deterministically; call when the connection is closed. Native
     * zlib memory would otherwise wait for the garbage collector (compare jetty#293).
     */
    public void release() {
        message.release();
        if (deflate != null) {
            deflate.release();
        }
    }

    public State state() {
        return state;
    }

    /** Which side sent the first Close, or null while open. */
    public Initiator closeInitiator() {
        return initiator;
    }

    /** Whether we failed the connection because the peer broke the protocol. */
    public boolean isFailed() {
        return failed;
    }

    public Role role() {
        return role;
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Consumes every byte of {@code in}, which it may modify (payloads are unmasked in place).
     * Partial frames are kept internally, so the caller may reuse {@code in} afterwards. What the
     * engine answers by itself (pongs, the reply to a Close, the Close that fails the connection)
     * is appended to {@code out}; what it found is reported to {@code listener}. Both are the
     * caller's and are used only during this call.
     */
    public void receive(ByteBuffer in, ByteOutput out, ConnectionListener listener) {
        if (frameEvents.out != null) {
            throw new IllegalStateException("Connection.receive called from inside receive");
        }
        frameEvents.out = out;
        frameEvents.listener = listener;
        try {
            while (in.hasRemaining()) {
                if (state == State.CLOSED) {
                    in.position(in.limit()); // nothing may follow a completed close handshake
                    return;
                }
                try {
                    parser.parse(in, frameEvents);
                } catch (ProtocolException e) {
                    fail(e);
                }
            }
        } finally {
            frameEvents.out = null;
            frameEvents.listener = null;
        }
    }

    /**
     * The peer closed the TCP connection. Returns whether the close handshake had completed; if not,
     * the connection is now CLOSED and the caller reports {@link CloseCodes#ABNORMAL} (1006).
     */
    public boolean receiveEof() {
        boolean clean = state == State.CLOSED;
        state = State.CLOSED;
        message.release();
        return clean;
    }

    private void fail(ProtocolException error) {
        if (failed) {
            return; // the first error is the one reported and sent
        }
        failed = true;
        parser.drain();
        discardFrame = true;
        message.abort();
        if (state == State.OPEN) {
            writeClose(frameEvents.out, error.closeCode(), error.getMessage());
            state = State.CLOSING;
            initiator = Initiator.LOCAL;
        }
        frameEvents.listener.onProtocolError(error);
    }

    /**
     * Parser callbacks; a separate object so they are not part of the public API. It holds the
     * caller's output and listener for the duration of one {@link #receive} call only.
     */
    private final class FrameEvents implements FrameParser.Handler {
        ByteOutput out;
        ConnectionListener listener;

        @Override
        public void onFrameHeader(boolean fin, int rsv, Opcode opcode, long length) throws ProtocolException {
            frameOpcode = opcode;
            frameFin = fin;
            frameRsv = rsv;
            controlLength = 0;
            FrameObserver o = observer;
            if (o != null) {
                if (opcode == Opcode.CLOSE) {
                    closeTracePending = true; // reported with its code once the payload is read
                    closeTraceLength = length;
                } else {
                    o.onFrame(new FrameTrace(FrameTrace.Direction.IN, fin, (rsv & FrameBits.B0_RSV1) != 0,
                            (rsv & FrameBits.B0_RSV2) != 0, (rsv & FrameBits.B0_RSV3) != 0, parser.frameOpcodeBits(),
                            parser.frameMasked(), length, FrameTrace.NO_CLOSE_CODE, null));
                }
            }
            boolean closingOrFailed = failed || state != State.OPEN;
            if (opcode == null || !opcode.isControl()) {
                discardFrame = closingOrFailed;
                if (!closingOrFailed) {
                    message.startFrame(opcode, rsv, length);
                }
                return;
            }
            if (rsv != 0 && !closingOrFailed) {
                throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
                        "Control frames must not have RSV bits set; they are never compressed (RFC 7692 §6.1)");
            }
            // After our Close only the peer's Close matters (RFC 6455 §5.5.1).
            discardFrame = (closingOrFailed && opcode != Opcode.CLOSE) || length > MAX_CONTROL_PAYLOAD;
            if (!discardFrame && control == null) {
                control = new byte[MAX_CONTROL_PAYLOAD];
                controlView = ByteBuffer.wrap(control);
            }
        }

        @Override
        public void onFramePayload(ByteBuffer chunk, boolean frameDone) throws ProtocolException {
            if (discardFrame) {
                if (frameDone && closeTracePending) {
                    traceCloseIn(false);
                }
                return;
            }
            if (frameOpcode.isControl()) {
                int n = chunk.remaining();
                chunk.get(control, controlLength, n);
                controlLength += n;
                if (frameDone) {
                    if (closeTracePending) {
                        traceCloseIn(true);
                    }
                    onControlFrame();
                }
            } else {
                message.onPayload(chunk, frameDone && frameFin, listener);
            }
        }
    }

    /** Reports the inbound Close frame just completed, with its code when its payload was kept. */
    private void traceCloseIn(boolean payloadRead) {
        closeTracePending = false;
        FrameObserver o = observer;
        if (o == null) {
            return;
        }
        int code = FrameTrace.NO_CLOSE_CODE;
        String reason = null;
        if (payloadRead && controlLength >= 2) {
            code = ((control[0] & 0xFF) << 8) | (control[1] & 0xFF);
            reason = new String(control, 2, controlLength - 2, StandardCharsets.UTF_8); // checked later, not here
        }
        o.onFrame(new FrameTrace(FrameTrace.Direction.IN, frameFin, (frameRsv & FrameBits.B0_RSV1) != 0,
                (frameRsv & FrameBits.B0_RSV2) != 0, (frameRsv & FrameBits.B0_RSV3) != 0, Opcode.CLOSE.code(),
                parser.frameMasked(), closeTraceLength, code, reason));
    }

    /** Reports a frame just written. */
    private static void traceOut(FrameObserver o, boolean fin, int rsv, int opcode, boolean masked, long length,
            int closeCode, String closeReason) {
        o.onFrame(new FrameTrace(FrameTrace.Direction.OUT, fin, (rsv & FrameBits.B0_RSV1) != 0,
                (rsv & FrameBits.B0_RSV2) != 0, (rsv & FrameBits.B0_RSV3) != 0, opcode, masked, length,
                closeCode, closeReason));
    }

    private void onControlFrame() throws ProtocolException {
        ByteBuffer payload = controlView.limit(controlLength).position(0);
        switch (frameOpcode) {
            case PING -> {
                if (autoPong && state == State.OPEN) {
                    writeFrame(frameEvents.out, Opcode.PONG.code(), true, payload);
                }
                frameEvents.listener.onPing(payload);
            }
            case PONG -> frameEvents.listener.onPong(payload);
            case CLOSE -> onCloseFrame();
            default -> throw new IllegalStateException("Not a control opcode: " + frameOpcode);
        }
    }

    private void onCloseFrame() throws ProtocolException {
        int code = CloseCodes.NO_STATUS;
        String reason = "";
        if (!failed) {
            if (controlLength == 1) {
                throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
                        "Close frame payload must be empty or hold a 2-byte code (RFC 6455 §5.5.1)");
            }
            if (controlLength >= 2) {
                code = ((control[0] & 0xFF) << 8) | (control[1] & 0xFF);
                if (!CloseCodes.isValidOnWire(code)) {
                    throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
                            "Close code " + code + " may not be sent on the wire (RFC 6455 §7.4)");
                }
                ByteBuffer reasonBytes = ByteBuffer.wrap(control, 2, controlLength - 2);
                Utf8Validator validator = new Utf8Validator();
                if (validator.validate(reasonBytes, 2, controlLength) >= 0 || !validator.isComplete()) {
                    throw new ProtocolException(CloseCodes.INVALID_PAYLOAD,
                            "Close reason is not valid UTF-8 (RFC 6455 §5.5.1)");
                }
                reason = new String(control, 2, controlLength - 2, StandardCharsets.UTF_8);
            }
        } else if (controlLength >= 2) {
            // After a protocol error the peer's Close only completes the handshake and is not
            // validated, but its code is still reported: pass on only a code a peer may send, so a
            // listener never sees 1005, 1006, 1015 or a reserved code as if the peer had sent it.
            int peerCode = ((control[0] & 0xFF) << 8) | (control[1] & 0xFF);
            if (CloseCodes.isValidOnWire(peerCode)) {
                code = peerCode;
            }
        }
        if (state == State.OPEN) {
            initiator = Initiator.REMOTE;
            if (code == CloseCodes.NO_STATUS) {
                writeFrame(frameEvents.out, Opcode.CLOSE.code(), true, ByteBuffer.allocate(0));
            } else {
                writeClose(frameEvents.out, code, "");
            }
        }
        state = State.CLOSED;
        // Frames after the Close in the same read were otherwise still parsed and reported (a
        // second Close, a protocol error after the handshake completed): found by FrameFuzzTest.
        parser.stop();
        message.release();
        frameEvents.listener.onCloseReceived(code, reason);
    }

    // ---------------------------------------------------------------- sending
    // Every send appends its frames to the caller's {@code out}: the caller owns that buffer and
    // decides when its bytes go to the socket.

    /** Sends a text message, compressed when permessage-deflate is on and it is long enough. @throws IllegalArgumentException for an unpaired surrogate */
    public void sendText(CharSequence text, ByteOutput out) {
        sendText(text, true, out);
    }

    /**
     * Sends a text message; {@code mayCompress = false} sends it uncompressed even when
     * permessage-deflate is on (for data that must not share a compression context with secrets,
     * or is already compressed). @throws IllegalArgumentException for an unpaired surrogate
     */
    public void sendText(CharSequence text, boolean mayCompress, ByteOutput out) {
        checkCanSendData("TEXT");
        int length = Utf8.encodedLength(text);
        if (mayCompress && deflate != null && deflate.worthCompressing(length)) {
            ByteOutput plain = deflate.plainScratch();
            plain.clear();
            Utf8.encode(text, plain.reserve(length));
            writeCompressed(out, Opcode.TEXT.code(), true, plain.flip());
            return;
        }
        boolean masked = role == Role.CLIENT;
        int maskKey = masked ? maskSource.nextInt() : 0;
        ByteBuffer buffer = out.reserve(FrameBits.headerSize(length, masked) + length);
        FrameWriter.writeHeader(buffer, FrameWriter.firstByte(true, 0, Opcode.TEXT.code()), length, masked, maskKey);
        int start = buffer.position();
        Utf8.encode(text, buffer);
        if (masked) {
            Masking.mask(buffer, start, buffer.position(), maskKey, 0);
        }
        FrameObserver o = observer;
        if (o != null) {
            traceOut(o, true, 0, Opcode.TEXT.code(), masked, length, FrameTrace.NO_CLOSE_CODE, null);
        }
    }

    /** Sends a text message from bytes the caller guarantees are valid UTF-8 (e.g. an echo). */
    public void sendTextUtf8(ByteBuffer utf8, ByteOutput out) {
        checkCanSendData("TEXT");
        sendData(out, Opcode.TEXT.code(), utf8, true);
    }

    /** Sends a binary message of {@code data}'s remaining bytes; {@code data} is not modified. */
    public void sendBinary(ByteBuffer data, ByteOutput out) {
        sendBinary(data, true, out);
    }

    /** Sends a binary message; {@code mayCompress = false} sends it uncompressed even when permessage-deflate is on. */
    public void sendBinary(ByteBuffer data, boolean mayCompress, ByteOutput out) {
        checkCanSendData("BINARY");
        sendData(out, Opcode.BINARY.code(), data, mayCompress);
    }

    /**
     * Sends a message encoded once for many connections. A server without compression copies the
     * frame as it is; a client (which must mask each frame with its own key) or a compressing
     * connection encodes the payload itself.
     */
    public void sendPrepared(PreparedFrame prepared, ByteOutput out) {
        checkCanSendData(prepared.isText() ? "TEXT" : "BINARY");
        if (role == Role.SERVER && deflate == null) {
            ByteBuffer frame = prepared.bytes();
            out.reserve(frame.remaining()).put(frame);
            FrameObserver o = observer;
            if (o != null) {
                traceOut(o, true, 0, prepared.isText() ? Opcode.TEXT.code() : Opcode.BINARY.code(), false,
                        prepared.payloadLength(), FrameTrace.NO_CLOSE_CODE, null);
            }
        } else {
            sendData(out, prepared.isText() ? Opcode.TEXT.code() : Opcode.BINARY.code(), prepared.payload(), true);
        }
    }

    private void sendData(ByteOutput out, int opcode, ByteBuffer data, boolean mayCompress) {
        if (mayCompress && deflate != null && deflate.worthCompressing(data.remaining())) {
            writeCompressed(out, opcode, true, data.duplicate());
        } else {
            writeFrame(out, opcode, true, data);
        }
    }

    /** Compresses {@code plain} (consumed) and writes it as one frame, or one part of a message, with RSV1 on the first. */
    private void writeCompressed(ByteOutput out, int opcode, boolean fin, ByteBuffer plain) {
        boolean first = opcode != Opcode.CONTINUATION.code();
        ByteBuffer payload = deflate.compress(plain, fin);
        boolean masked = role == Role.CLIENT;
        int maskKey = masked ? maskSource.nextInt() : 0;
        int length = payload.remaining();
        ByteBuffer buffer = out.reserve(FrameBits.headerSize(length, masked) + length);
        int rsv = first ? FrameBits.B0_RSV1 : 0;
        FrameWriter.writeFrame(buffer, FrameWriter.firstByte(fin, rsv, opcode), payload, masked, maskKey);
        FrameObserver o = observer;
        if (o != null) {
            traceOut(o, fin, rsv, opcode, masked, length, FrameTrace.NO_CLOSE_CODE, null);
        }
    }

    /**
     * Sends one fragment of a message that is streamed out in parts. The first call picks the
     * message type; later calls continue it until {@code last}. Control frames may be sent in
     * between; other data messages may not.
     */
    public void sendPart(boolean text, ByteBuffer part, boolean last, ByteOutput out) {
        int type = text ? Opcode.TEXT.code() : Opcode.BINARY.code();
        checkCanSendData(text ? "TEXT" : "BINARY");
        if (sendingOpcode != NO_MESSAGE && sendingOpcode != type) {
            throw new IllegalStateException("Cannot send a " + (text ? "text" : "binary")
                    + " part while a message of the other type is being sent");
        }
        boolean first = sendingOpcode == NO_MESSAGE;
        int opcode = first ? type : Opcode.CONTINUATION.code();
        if (first) {
            sendingCompressed = deflate != null; // the total size is unknown: a streamed message is always compressed
        }
        sendingOpcode = last ? NO_MESSAGE : type;
        if (sendingCompressed) {
            writeCompressed(out, opcode, last, part.duplicate());
        } else {
            writeFrame(out, opcode, last, part);
        }
    }

    public void sendPing(ByteBuffer payload, ByteOutput out) {
        checkControl("PING", payload);
        writeFrame(out, Opcode.PING.code(), true, payload);
    }

    /** Sends a pong: the answer to a ping, or unsolicited as a one-way heartbeat (RFC 6455 §5.5.3). */
    public void sendPong(ByteBuffer payload, ByteOutput out) {
        checkControl("PONG", payload);
        writeFrame(out, Opcode.PONG.code(), true, payload);
    }

    /**
     * Starts the close handshake. The caller then waits for the peer's Close (reported through
     * {@link ConnectionListener#onCloseReceived}) or a timeout.
     *
     * @param code a code valid on the wire ({@link CloseCodes#isValidOnWire})
     * @param reason at most 123 bytes of UTF-8
     * @throws IllegalArgumentException for a code that may not be sent or a reason too long
     */
    public void sendClose(int code, String reason, ByteOutput out) {
        CloseCodes.checkCode(code);
        CloseCodes.checkReason(reason);
        if (state != State.OPEN) {
            throw new IllegalStateException("Cannot send CLOSE in state " + state);
        }
        writeClose(out, code, reason);
        state = State.CLOSING;
        initiator = Initiator.LOCAL;
    }

    private void checkCanSendData(String what) {
        if (state != State.OPEN) {
            throw new IllegalStateException("Cannot send " + what + " in state " + state);
        }
    }

    private void checkControl(String what, ByteBuffer payload) {
        FrameBits.checkControlPayload(what, payload.remaining());
        if (state != State.OPEN) {
            throw new IllegalStateException("Cannot send " + what + " in state " + state);
        }
    }

    /** Writes a Close frame, cutting the reason at a character boundary to fit 123 bytes. */
    private void writeClose(ByteOutput out, int code, String reason) {
        String fitted = CloseCodes.fitReason(reason);
        int reasonBytes = Utf8.encodedLength(fitted);
        boolean masked = role == Role.CLIENT;
        int maskKey = masked ? maskSource.nextInt() : 0;
        int length = 2 + reasonBytes;
        ByteBuffer buffer = out.reserve(FrameBits.headerSize(length, masked) + length);
        FrameWriter.writeHeader(buffer, FrameWriter.firstByte(true, 0, Opcode.CLOSE.code()), length, masked, maskKey);
        int start = buffer.position();
        buffer.put((byte) (code >>> 8)).put((byte) code);
        Utf8.encode(fitted, buffer);
        if (masked) {
            Masking.mask(buffer, start, buffer.position(), maskKey, 0);
        }
        FrameObserver o = observer;
        if (o != null) {
            traceOut(o, true, 0, Opcode.CLOSE.code(), masked, length, code, fitted);
        }
    }

    private void writeFrame(ByteOutput out, int opcode, boolean fin, ByteBuffer payload) {
        boolean masked = role == Role.CLIENT;
        int maskKey = masked ? maskSource.nextInt() : 0;
        int length = payload.remaining();
        ByteBuffer buffer = out.reserve(FrameBits.headerSize(length, masked) + length);
        FrameWriter.writeFrame(buffer, FrameWriter.firstByte(fin, 0, opcode), payload, masked, maskKey);
        FrameObserver o = observer;
        if (o != null) {
            traceOut(o, fin, 0, opcode, masked, length, FrameTrace.NO_CLOSE_CODE, null);
        }
    }
}
