package dev.duplex.protocol.frame;

import static dev.duplex.protocol.frame.FrameBits.*;

import java.nio.ByteBuffer;

/** Encodes frames: the header with the minimal length form, then the (masked) payload. Stateless. */
public final class FrameWriter {
    private FrameWriter() {
    }

    /**
     * Writes a frame header at {@code out}'s position.
     *
     * @param b0 FIN, RSV and opcode bits of the first byte
     * @param masked whether a mask key follows (client frames)
     */
    public static void writeHeader(ByteBuffer out, int b0, long length, boolean masked, int maskKey) {
        int maskBit = masked ? B1_MASK : 0;
        out.put((byte) b0);
        if (length <= MAX_SHORT_LENGTH) {
            out.put((byte) (maskBit | length));
        } else if (length <= 0xFFFF) {
            out.put((byte) (maskBit | LENGTH_16));
            out.put((byte) (length >>> 8));
            out.put((byte) length);
        } else {
            out.put((byte) (maskBit | LENGTH_64));
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.put((byte) (length >>> shift));
            }
        }
        if (masked) {
            out.put((byte) (maskKey >>> 24));
            out.put((byte) (maskKey >>> 16));
            out.put((byte) (maskKey >>> 8));
            out.put((byte) maskKey);
        }
    }

    /**
     * Writes a whole frame: header, then {@code payload}'s remaining bytes (masked when asked).
     * {@code payload} is not modified and its position is not moved. {@code out} must have room for
     * {@link FrameBits#headerSize} plus the payload.
     */
    public static void writeFrame(ByteBuffer out, int b0, ByteBuffer payload, boolean masked, int maskKey) {
        int length = payload.remaining();
        writeHeader(out, b0, length, masked, maskKey);
        int start = out.position();
        out.put(out.position(), payload, payload.position(), length);
        out.position(start + length);
        if (masked) {
            Masking.mask(out, start, start + length, maskKey, 0);
        }
    }

    /** Builds the first header byte. */
    public static int firstByte(boolean fin, int rsv, int opcode) {
        return (fin ? B0_FIN : 0) | (rsv & B0_RSV_ALL) | (opcode & B0_OPCODE);
    }
}
