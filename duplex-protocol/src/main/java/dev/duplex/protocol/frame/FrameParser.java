package dev.duplex.protocol.frame;

import static dev.duplex.protocol.frame.FrameBits.*;

import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Opcode;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.Role;
import java.nio.ByteBuffer;

/**
 * Incremental frame parser: feed it bytes as they arrive, split anywhere; it reports each header,
 * then the payload in unmasked chunks as soon as they are available. A header split across reads
 * is stashed in 14 bytes; payload is never buffered here, so nothing is allocated from a declared
 * length.
 *
 * <p>It enforces the framing rules that need no message context: reserved opcodes and unclaimed
 * RSV bits, masking by role, control frame size and fragmentation, and the 64-bit length's top bit.
 * After an error it can {@link #drain()}: keep finding frame boundaries without validating, so the
 * connection can still see the peer's Close frame.
 *
 * <p>This class is not thread safe.
 */
public final class FrameParser {

    /** Receives what the parser finds. */
    public interface Handler {
        /** A complete header was read; the payload follows in {@link #onFramePayload} calls. */
        void onFrameHeader(boolean fin, int rsv, Opcode opcode, long length) throws ProtocolException;

        /**
         * A run of unmasked payload bytes in {@code chunk[position, limit)}, valid only during the
         * call. Called at least once per frame, with an empty chunk for an empty payload.
         *
         * @param frameDone whether this chunk ends the frame
         */
        void onFramePayload(ByteBuffer chunk, boolean frameDone) throws ProtocolException;
    }

    private enum State { HEADER, PAYLOAD, DEAD }

    private final boolean expectMasked;
    private int allowedRsv;
    private boolean draining;

    private State state = State.HEADER;
    /** Holds a header split across reads; allocated on first need, since most headers arrive whole. */
    private ByteBuffer stash;
    private int stashed;

    private long payloadRemaining;
    private int opcodeBits;
    private boolean masked;
    private int maskKey;
    private int maskOffset;

    /**
     * @param role the side this parser runs on: a server expects masked frames, a client unmasked ones
     * @param allowedRsv the RSV bits ({@link FrameBits#B0_RSV1} …) claimed by negotiated extensions
     */
    public FrameParser(Role role, int allowedRsv) {
        this.expectMasked = role == Role.SERVER;
        this.allowedRsv = allowedRsv & B0_RSV_ALL;
    }

    /** Stop validating; only find frame boundaries. Used after the connection has failed. */
    public void drain() {
        draining = true;
    }

    /**
     * Stop reading: {@link #parse} ignores every byte from now on, those of the buffer it is
     * working through included. Used once the close handshake is complete, after which nothing
     * may follow (RFC 6455 §5.5.1), so that frames behind the Close in the same read are not
     * reported.
     */
    public void stop() {
        state = State.DEAD;
    }

    /** Whether the parser is between frames (no partial header or payload pending). */
    public boolean atFrameBoundary() {
        return state == State.HEADER && stashed == 0;
    }

    /**
     * Consumes every byte of {@code in} (unmasking payload in place) and reports what it finds.
     * The handler's exceptions propagate; the parser stays consistent, positioned after the bytes
     * handled so far, with the rest of the current frame to be skipped.
     */
    public void parse(ByteBuffer in, Handler handler) throws ProtocolException {
        while (in.hasRemaining()) {
            if (state == State.DEAD) {
                in.position(in.limit());
                return;
            }
            if (state == State.HEADER) {
                if (!readHeader(in, handler)) {
                    return;
                }
                if (payloadRemaining == 0) {
                    deliverEmpty(in, handler);
                    continue;
                }
                if (!in.hasRemaining()) {
                    return;
                }
            }
            deliverPayload(in, handler);
        }
    }

    private void deliverEmpty(ByteBuffer in, Handler handler) throws ProtocolException {
        state = State.HEADER;
        int limit = in.limit();
        in.limit(in.position());
        try {
            handler.onFramePayload(in, true);
        } finally {
            in.limit(limit);
        }
    }

    private void deliverPayload(ByteBuffer in, Handler handler) throws ProtocolException {
        int start = in.position();
        int n = (int) Math.min(payloadRemaining, in.remaining());
        int end = start + n;
        if (masked) {
            Masking.mask(in, start, end, maskKey, maskOffset);
            maskOffset = (maskOffset + n) & 3;
        }
        payloadRemaining -= n;
        boolean frameDone = payloadRemaining == 0;
        if (frameDone) {
            state = State.HEADER;
        }
        int limit = in.limit();
        in.limit(end);
        try {
            handler.onFramePayload(in, frameDone);
        } finally {
            in.limit(limit);
            in.position(end);
        }
    }

    /** Reads a header, from {@code in} directly when it is all there, else through the stash. */
    private boolean readHeader(ByteBuffer in, Handler handler) throws ProtocolException {
        ByteBuffer src;
        int at;
        if (stashed == 0 && in.remaining() >= 2 && in.remaining() >= sizeOf(in.get(in.position() + 1))) {
            src = in;
            at = in.position();
            in.position(at + sizeOf(in.get(at + 1)));
        } else {
            if (stash == null) {
                stash = ByteBuffer.allocate(MAX_HEADER_BYTES);
            }
            while (stashed < 2 && in.hasRemaining()) {
                stash.put(stashed++, in.get());
            }
            if (stashed < 2) {
                return false;
            }
            int size = sizeOf(stash.get(1));
            while (stashed < size && in.hasRemaining()) {
                stash.put(stashed++, in.get());
            }
            if (stashed < size) {
                return false;
            }
            stashed = 0;
            src = stash;
            at = 0;
        }
        decode(src, at, handler);
        return true;
    }

    private static int sizeOf(byte b1) {
        int len = b1 & B1_LENGTH;
        int size = len == LENGTH_16 ? 4 : len == LENGTH_64 ? 10 : 2;
        return (b1 & B1_MASK) != 0 ? size + 4 : size;
    }

    private void decode(ByteBuffer src, int at, Handler handler) throws ProtocolException {
        int b0 = src.get(at) & 0xFF;
        int b1 = src.get(at + 1) & 0xFF;
        boolean fin = (b0 & B0_FIN) != 0;
        int rsv = b0 & B0_RSV_ALL;
        opcodeBits = b0 & B0_OPCODE;
        masked = (b1 & B1_MASK) != 0;
        int len = b1 & B1_LENGTH;
        int next = at + 2;
        long length;
        if (len == LENGTH_16) {
            length = readBigEndian(src, next, 2);
            next += 2;
        } else if (len == LENGTH_64) {
            length = readBigEndian(src, next, 8);
            next += 8;
            if (length < 0) {
                state = State.DEAD; // no way to find the next frame boundary
                throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
                        "Frame length has the most significant bit set (RFC 6455 §5.2)");
            }
        } else {
            length = len;
        }
        // RFC 6455 §5.2 asks senders for the minimal length encoding; a longer form is harmless
        // and every major implementation accepts it, so it is tolerated here.
        maskKey = masked ? (int) readBigEndian(src, next, 4) : 0;
        maskOffset = 0;
        payloadRemaining = length;
        state = State.PAYLOAD;

        Opcode opcode = Opcode.of(opcodeBits);
        if (draining) {
            handler.onFrameHeader(fin, rsv, opcode, length);
            return;
        }
        if (opcode == null) {
            throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
                    "Opcode 0x" + Integer.toHexString(opcodeBits) + " is reserved (RFC 6455 §5.2)");
        }
        if ((rsv & ~allowedRsv) != 0) {
            throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
                    "Reserved bits set without an extension that defines them (RFC 6455 §5.2)");
        }
        if (masked != expectMasked) {
            throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, expectMasked
                    ? "Frames from a client must be masked (RFC 6455 §5.1)"
                    : "Frames from a server must not be masked (RFC 6455 §5.1)");
        }
        if (opcode.isControl()) {
            if (!fin) {
                throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
                        "Control frames must not be fragmented (RFC 6455 §5.5)");
            }
            if (length > MAX_CONTROL_PAYLOAD) {
                throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
                        "Control frame payload of " + length + " bytes exceeds 125 (RFC 6455 §5.5)");
            }
        }
        handler.onFrameHeader(fin, rsv, opcode, length);
    }

    /** Reads independently of the buffer's byte order, which belongs to the caller. */
    private static long readBigEndian(ByteBuffer src, int at, int bytes) {
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            value = (value << 8) | (src.get(at + i) & 0xFF);
        }
        return value;
    }

    /**
     * The 4-bit opcode of the frame whose header was read last, reserved values included (the
     * handler gets null for those while draining). Valid from {@link Handler#onFrameHeader} on.
     */
    public int frameOpcodeBits() {
        return opcodeBits;
    }

    /** Whether the frame whose header was read last carries a mask key. Valid from {@link Handler#onFrameHeader} on. */
    public boolean frameMasked() {
        return masked;
    }

    /** Claims RSV bits for a negotiated extension. */
    public void setAllowedRsv(int bits) {
        this.allowedRsv = bits & B0_RSV_ALL;
    }
}
