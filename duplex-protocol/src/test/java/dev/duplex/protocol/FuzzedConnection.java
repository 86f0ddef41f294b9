package dev.duplex.protocol;

import dev.duplex.protocol.extension.deflate.PerMessageDeflate;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * One {@link Connection} driven by a fuzz test, with the engine's invariants checked as it runs:
 * close codes on the wire and reported, the {@link Limits} on what is delivered, valid UTF-8 in
 * text, deliveries only while open, buffers and allocation bounded, nothing but whole frames the
 * engine owes written, no exception out of {@link Connection#receive}. A broken invariant throws
 * {@link AssertionError}, which Jazzer reports as a finding.
 */
public final class FuzzedConnection implements ConnectionListener, FrameObserver {
    /** Bytes the engine may allocate per byte fed (assembly doubling, pongs, frame traces), generously. */
    private static final long ALLOCATED_PER_BYTE = 64;
    /** ... plus this once per run (first buffers, exception messages, zlib's Java objects). */
    private static final long ALLOCATED_CONSTANT = 1 << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Role role;
    private final Limits limits;
    private final Connection connection;
    private final ByteOutput out = new ByteOutput(256, false);
    private final MemoryBudget budget;
    private final boolean budgetLimited;
    /** Inflated messages may arrive, whose size is bounded by the message limit, not by the bytes fed. */
    private final boolean compressing;

    private long fed;
    private long allocatedByEngine;
    private long allocatedByListener;
    private long listenerEntry;
    private boolean closeWritten;

    // The inbound message being delivered, as seen by the frame observer and the listener.
    private int messageFrames;
    private long messageLargestFrame;
    private final ByteArrayOutputStream streamed = new ByteArrayOutputStream();
    private boolean streaming;
    private boolean streamingText;

    private int protocolErrors;
    private int closesReceived;
    private int messagesDelivered;

    /**
     * @param deflate permessage-deflate as negotiated, or null
     * @param budgetLimit a limit for the incomplete-message budget, or -1 for a budget that only counts
     */
    public FuzzedConnection(Role role, Limits limits, PerMessageDeflate deflate, long budgetLimit, boolean autoPong) {
        this.role = role;
        this.limits = limits;
        this.compressing = deflate != null;
        this.connection = new Connection(role, limits, role == Role.CLIENT ? new Random(7) : null, deflate);
        this.budgetLimited = budgetLimit >= 0;
        // Long.MAX_VALUE is the untracked fast path: one less keeps the count.
        this.budget = new MemoryBudget(budgetLimited ? budgetLimit : Long.MAX_VALUE - 1);
        connection.memoryBudget(budget);
        connection.autoPong(autoPong);
        connection.frameObserver(this);
    }

    public Connection connection() {
        return connection;
    }

    public int messagesDelivered() {
        return messagesDelivered;
    }

    /** Starts the close handshake from our side, as an application would. */
    public void sendClose() {
        if (connection.state() == Connection.State.OPEN) {
            connection.sendClose(CloseCodes.NORMAL, "bye", out);
            drainOutput();
        }
    }

    /** Feeds {@code bytes[from, to)} as one read. */
    public void receive(byte[] bytes, int from, int to) {
        ByteBuffer read = ByteBuffer.wrap(bytes.clone(), from, to - from); // the engine unmasks in place
        fed += to - from;
        allocatedByListener = 0;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            connection.receive(read, out, this);
        } catch (RuntimeException e) {
            throw new AssertionError("receive() threw " + e, e);
        }
        allocatedByEngine += THREADS.getCurrentThreadAllocatedBytes() - before - allocatedByListener;
        if (read.hasRemaining()) {
            throw new AssertionError("receive() left " + read.remaining() + " bytes unread");
        }
        checkBuffers();
        drainOutput();
    }

    /** Ends the run, with the peer's EOF or without, and checks what needs the whole run. */
    public void finish(boolean eof) {
        if (eof) {
            boolean clean = connection.receiveEof();
            if (clean != (closesReceived > 0)) {
                throw new AssertionError("receiveEof() said clean=" + clean + " after " + closesReceived + " Close frames");
            }
            if (connection.state() != Connection.State.CLOSED) {
                throw new AssertionError("state " + connection.state() + " after EOF");
            }
        }
        connection.release();
        if (budget.used() != 0) {
            throw new AssertionError("the message budget still holds " + budget.used() + " bytes after release()");
        }
        drainOutput();
    }

    /**
     * Null if the engine allocated no more than a small multiple of the bytes fed (plus, with
     * compression, of the message limit) during the reads, else what it allocated. The first use of
     * a code path also allocates for class loading and call-site linkage, so a caller that gets a
     * report runs the same input again and judges the second run ({@link #checkAllocation}).
     */
    public String allocationExcess() {
        long allowed = ALLOCATED_PER_BYTE * fed + ALLOCATED_CONSTANT
                + (compressing ? 8 * Math.max(0, limits.maxMessageBytes()) : 0);
        return allocatedByEngine <= allowed ? null
                : "the engine allocated " + allocatedByEngine + " bytes for " + fed + " bytes fed (allowed " + allowed + ")";
    }

    /**
     * Runs {@code run} (a whole fuzz run, which returns its connection) and checks its allocation;
     * when over the bound, runs it once more, warmed up, and fails if the second run is over too.
     */
    public static void checkAllocation(java.util.function.Supplier<FuzzedConnection> run) {
        if (run.get().allocationExcess() != null) {
            String excess = run.get().allocationExcess();
            if (excess != null) {
                throw new AssertionError(excess);
            }
        }
    }

    // ---------------------------------------------------------------- invariants of each read

    private void checkBuffers() {
        long used = budget.used();
        long message = limits.maxMessageBytes() == Limits.NO_LIMIT ? Long.MAX_VALUE : limits.maxMessageBytes();
        // An assembly buffer holds at most twice what arrived of its message (a header alone reserves
        // nothing it was not paid for) and never more than the message limit; at least 256 bytes.
        long bound = compressing ? Math.max(256, message) : Math.max(256, Math.min(2 * fed, message));
        if (used > bound) {
            throw new AssertionError("message buffers hold " + used + " bytes after " + fed + " bytes fed (bound " + bound + ")");
        }
        if (budgetLimited && used > budget.limit()) {
            throw new AssertionError("the budget of " + budget.limit() + " bytes was passed: " + used);
        }
    }

    /** Takes what the engine wrote (always whole frames) and checks each frame. */
    private void drainOutput() {
        ByteBuffer buffer = out.flip();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        out.clear();
        for (RawFrames.Frame frame : RawFrames.decode(bytes)) {
            if (closeWritten) {
                throw new AssertionError("a frame was written after our Close: " + frame);
            }
            if (frame.masked() != (role == Role.CLIENT)) {
                throw new AssertionError("masking does not match the role " + role + ": " + frame);
            }
            if (!frame.fin() || frame.rsv() != 0) {
                throw new AssertionError("unexpected FIN/RSV bits: " + frame);
            }
            byte[] p = frame.payload();
            if (frame.opcode() == Opcode.PONG.code()) {
                if (p.length > 125) {
                    throw new AssertionError("pong over 125 bytes: " + frame);
                }
            } else if (frame.opcode() == Opcode.CLOSE.code()) {
                closeWritten = true;
                if (p.length == 1 || p.length > 125) {
                    throw new AssertionError("malformed Close payload: " + frame);
                }
                if (p.length >= 2) {
                    int code = frame.closeCode();
                    if (!isValidOnWire(code)) {
                        throw new AssertionError("close code " + code + " sent on the wire, where it may not appear");
                    }
                    checkUtf8(ByteBuffer.wrap(p, 2, p.length - 2), "close reason sent");
                }
            } else {
                throw new AssertionError("the engine wrote a frame it was never asked for: " + frame);
            }
        }
    }

    /**
     * RFC 6455 §7.4: 1000-1003 and 1007-1011 are defined, 1012-1014 registered with IANA since,
     * 3000-4999 are for libraries and applications; 1004 is reserved, and 1005, 1006 and 1015 are
     * never sent. Written here independently of {@link CloseCodes#isValidOnWire}.
     */
    public static boolean isValidOnWire(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    // ---------------------------------------------------------------- the frame observer

    @Override
    public void onFrame(FrameTrace trace) {
        if (trace.direction() != FrameTrace.Direction.IN || trace.isControl()) {
            return;
        }
        if (trace.opcode() != Opcode.CONTINUATION.code()) {
            messageFrames = 0;
            messageLargestFrame = 0;
        }
        messageFrames++;
        messageLargestFrame = Math.max(messageLargestFrame, trace.payloadLength());
    }

    // ---------------------------------------------------------------- the listener

    private void enter() {
        listenerEntry = THREADS.getCurrentThreadAllocatedBytes();
    }

    private void exit() {
        allocatedByListener += THREADS.getCurrentThreadAllocatedBytes() - listenerEntry;
    }

    private void checkDeliveryAllowed(String what, long size) {
        if (connection.state() != Connection.State.OPEN || connection.isFailed()) {
            throw new AssertionError(what + " delivered in state " + connection.state()
                    + (connection.isFailed() ? " after a protocol error" : ""));
        }
        if (limits.maxFragments() != Limits.NO_LIMIT && messageFrames > limits.maxFragments()) {
            throw new AssertionError(what + " spans " + messageFrames + " frames, over the limit of " + limits.maxFragments());
        }
        if (limits.maxFrameBytes() != Limits.NO_LIMIT && messageLargestFrame > limits.maxFrameBytes()) {
            throw new AssertionError(what + " has a frame of " + messageLargestFrame + " bytes, over the limit of "
                    + limits.maxFrameBytes());
        }
        if (limits.maxMessageBytes() != Limits.NO_LIMIT && size > limits.maxMessageBytes()) {
            throw new AssertionError(what + " of " + size + " bytes passes the limit of " + limits.maxMessageBytes());
        }
    }

    private void whole(boolean text, ByteBuffer message) {
        enter();
        try {
            String what = text ? "text message" : "binary message";
            if (streaming) {
                throw new AssertionError(what + " delivered whole in the middle of a streamed message");
            }
            checkDeliveryAllowed(what, message.remaining());
            if (limits.streamingThresholdBytes() != Limits.NO_LIMIT && message.remaining() > limits.streamingThresholdBytes()) {
                throw new AssertionError(what + " of " + message.remaining() + " bytes delivered whole, over the streaming threshold");
            }
            if (text) {
                checkUtf8(message.duplicate(), what);
            }
            messagesDelivered++;
        } finally {
            exit();
        }
    }

    @Override
    public void onText(ByteBuffer utf8) {
        whole(true, utf8);
    }

    @Override
    public void onBinary(ByteBuffer data) {
        whole(false, data);
    }

    @Override
    public void onMessagePart(boolean text, ByteBuffer part, boolean last) {
        enter();
        try {
            if (limits.streamingThresholdBytes() == Limits.NO_LIMIT) {
                throw new AssertionError("a message part without a streaming threshold");
            }
            if (!streaming) {
                streaming = true;
                streamingText = text;
                streamed.reset();
            }
            if (streamingText != text) {
                throw new AssertionError("a message changed type between parts");
            }
            ByteBuffer view = part.duplicate();
            byte[] bytes = new byte[view.remaining()];
            view.get(bytes);
            streamed.writeBytes(bytes);
            checkDeliveryAllowed(text ? "streamed text" : "streamed binary", streamed.size());
            if (last) {
                if (text) {
                    checkUtf8(ByteBuffer.wrap(streamed.toByteArray()), "streamed text message");
                }
                streaming = false;
                messagesDelivered++;
            }
        } finally {
            exit();
        }
    }

    @Override
    public void onPing(ByteBuffer payload) {
        if (payload.remaining() > 125) {
            throw new AssertionError("ping payload over 125 bytes");
        }
    }

    @Override
    public void onPong(ByteBuffer payload) {
        if (payload.remaining() > 125) {
            throw new AssertionError("pong payload over 125 bytes");
        }
    }

    @Override
    public void onCloseReceived(int code, String reason) {
        enter();
        try {
            if (++closesReceived > 1) {
                throw new AssertionError("a second Close reported");
            }
            if (code != CloseCodes.NO_STATUS && !isValidOnWire(code)) {
                throw new AssertionError("reported close code " + code + ", which no peer may send (nor is it 1005 for none)");
            }
            if (reason == null || reason.getBytes(StandardCharsets.UTF_8).length > 123) {
                throw new AssertionError("close reason null or over 123 bytes");
            }
            if (connection.state() != Connection.State.CLOSED) {
                throw new AssertionError("state " + connection.state() + " after a Close was received");
            }
        } finally {
            exit();
        }
    }

    @Override
    public void onProtocolError(ProtocolException error) {
        enter();
        try {
            if (++protocolErrors > 1) {
                throw new AssertionError("a second protocol error reported: " + error.getMessage());
            }
            int code = error.closeCode();
            boolean expected = code == CloseCodes.PROTOCOL_ERROR || code == CloseCodes.INVALID_PAYLOAD
                    || code == CloseCodes.MESSAGE_TOO_BIG || (budgetLimited && code == CloseCodes.TRY_AGAIN_LATER);
            if (!expected) {
                throw new AssertionError("the engine failed the connection with close code " + code + ": " + error.getMessage());
            }
            if (error.getMessage() == null || error.getMessage().isBlank()) {
                throw new AssertionError("a protocol error without a message");
            }
            if (!connection.isFailed()) {
                throw new AssertionError("a protocol error reported, but the connection is not failed");
            }
        } finally {
            exit();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void checkUtf8(ByteBuffer bytes, String what) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
        } catch (CharacterCodingException e) {
            throw new AssertionError(what + " is not valid UTF-8: " + e);
        }
    }
}
