package dev.duplex.protocol.frame;

import java.nio.ByteBuffer;

/**
 * XOR masking (RFC 6455 §5.3), eight bytes at a time. The mask key is the big-endian int of the
 * four key bytes as they appear on the wire.
 */
public final class Masking {
    private Masking() {
    }

    /**
     * Masks (or unmasks; the operation is its own inverse) {@code buffer[from, to)} in place.
     *
     * @param maskOffset index into the key of the first byte, i.e. the payload offset of {@code from} mod 4
     */
    public static void mask(ByteBuffer buffer, int from, int to, int maskKey, int maskOffset) {
        int key = Integer.rotateLeft(maskKey, 8 * (maskOffset & 3));
        int i = from;
        if (to - i >= 8) {
            long key64 = ((long) key << 32) | (key & 0xFFFFFFFFL);
            if (buffer.order() != java.nio.ByteOrder.BIG_ENDIAN) {
                key64 = Long.reverseBytes(key64);
            }
            for (int end = to - 7; i < end; i += 8) {
                buffer.putLong(i, buffer.getLong(i) ^ key64);
            }
        }
        for (int shift = 24; i < to; i++, shift = (shift - 8) & 31) {
            buffer.put(i, (byte) (buffer.get(i) ^ (key >>> shift)));
        }
    }

    /** Same as {@link #mask(ByteBuffer, int, int, int, int)} for a byte array. */
    public static void mask(byte[] bytes, int from, int to, int maskKey, int maskOffset) {
        mask(ByteBuffer.wrap(bytes), from, to, maskKey, maskOffset);
    }
}
