package dev.duplex.conformance.cases;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One frame as the fuzzing peer puts it on the wire: any FIN, RSV and opcode, any payload length,
 * so it can describe invalid frames too (RSV set, reserved opcodes, long or fragmented control
 * frames). Masking is the peer's business, not the case's. Immutable by convention: the payload
 * array is shared, never modified.
 */
public record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    public Frame {
        if (rsv < 0 || rsv > 7 || opcode < 0 || opcode > 15) {
            throw new IllegalArgumentException("rsv 0-7, opcode 0-15: " + rsv + ", " + opcode);
        }
    }

    public static Frame of(int opcode, boolean fin, byte[] payload) {
        return new Frame(fin, 0, opcode, payload);
    }

    public static Frame text(String payload) {
        return of(TEXT, true, utf8(payload));
    }

    public static Frame text(byte[] payload) {
        return of(TEXT, true, payload);
    }

    public static Frame binary(byte[] payload) {
        return of(BINARY, true, payload);
    }

    public static Frame continuation(boolean fin, byte[] payload) {
        return of(CONTINUATION, fin, payload);
    }

    public static Frame ping(byte[] payload) {
        return of(PING, true, payload);
    }

    public static Frame pong(byte[] payload) {
        return of(PONG, true, payload);
    }

    /** A close frame with a 2-byte code and a reason of any bytes (which may be too long or invalid UTF-8). */
    public static Frame close(int code, byte[] reason) {
        ByteBuffer b = ByteBuffer.allocate(2 + reason.length);
        b.putShort((short) code).put(reason);
        return of(CLOSE, true, b.array());
    }

    public static Frame close(int code) {
        return close(code, new byte[0]);
    }

    public Frame withRsv(int bits) {
        return new Frame(fin, bits, opcode, payload);
    }

    public Frame withFin(boolean value) {
        return new Frame(value, rsv, opcode, payload);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.fin == fin && f.rsv == rsv && f.opcode == opcode && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(payload) * 31 + opcode * 7 + rsv * 3 + (fin ? 1 : 0);
    }

    @Override
    public String toString() {
        return "Frame[op=" + opcode + (fin ? ",fin" : "") + (rsv != 0 ? ",rsv=" + rsv : "") + ",len=" + payload.length + "]";
    }
}
