package dev.duplex.conformance.fuzzing;

import dev.duplex.conformance.cases.Frame;
import java.util.Random;

/**
 * Encodes any {@link Frame}, valid or not, to wire octets, masked or not. Our own encoder, sharing
 * nothing with the engine under test.
 *
 * <pre>
 *  0               1               2               3
 *  |F|R|R|R| opcode|M| len (7)     | extended len (16 or 64) ...   | masking key (4) | payload
 * </pre>
 *
 * Not thread safe (it owns a random source for masking keys).
 */
final class FrameEncoder {
    private final boolean mask;
    private final Random random;

    /**
     * @param mask true for a client (every frame masked), false for a server
     * @param seed seeds the masking keys so a run can be repeated
     */
    FrameEncoder(boolean mask, long seed) {
        this.mask = mask;
        this.random = new Random(seed);
    }

    byte[] encode(Frame f) {
        return encode(f.fin(), f.rsv(), f.opcode(), f.payload(), 0, f.payload().length);
    }

    /** Encodes a frame whose payload is {@code payload[from, to)}. */
    byte[] encode(boolean fin, int rsv, int opcode, byte[] payload, int from, int to) {
        int length = to - from;
        int header = 2 + (length > 0xFFFF ? 8 : length > 125 ? 2 : 0) + (mask ? 4 : 0);
        byte[] out = new byte[header + length];
        out[0] = (byte) ((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int at = 2;
        if (length > 0xFFFF) {
            out[1] = 127;
            for (int i = 7; i >= 0; i--) {
                out[at++] = (byte) ((long) length >>> (8 * i));
            }
        } else if (length > 125) {
            out[1] = 126;
            out[at++] = (byte) (length >>> 8);
            out[at++] = (byte) length;
        } else {
            out[1] = (byte) length;
        }
        if (mask) {
            out[1] |= (byte) 0x80;
            byte[] key = new byte[4];
            random.nextBytes(key);
            System.arraycopy(key, 0, out, at, 4);
            at += 4;
            for (int i = 0; i < length; i++) {
                out[at + i] = (byte) (payload[from + i] ^ key[i & 3]);
            }
        } else {
            System.arraycopy(payload, from, out, at, length);
        }
        return out;
    }

    /** Header octets of a frame of {@code payloadLength} octets as this encoder writes it. */
    int headerLength(int payloadLength) {
        return 2 + (payloadLength > 0xFFFF ? 8 : payloadLength > 125 ? 2 : 0) + (mask ? 4 : 0);
    }
}
