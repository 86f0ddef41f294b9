package dev.duplex.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Masking} against a byte-at-a-time reference (RFC 6455 §5.3: octet i XOR key[i mod 4]). */
class MaskingTest {

    /** The RFC's definition, one byte at a time. */
    private static void naive(byte[] bytes, int from, int to, int maskKey, int maskOffset) {
        byte[] key = {(byte) (maskKey >>> 24), (byte) (maskKey >>> 16), (byte) (maskKey >>> 8), (byte) maskKey};
        for (int i = from; i < to; i++) {
            bytes[i] ^= key[(i - from + maskOffset) & 3];
        }
    }

    private static void check(Random random, int from, int length, int offset, ByteOrder order, boolean direct) {
        int key = random.nextInt();
        byte[] original = new byte[from + length + 9];
        random.nextBytes(original);
        byte[] expected = original.clone();
        naive(expected, from, from + length, key, offset);

        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(original.length) : ByteBuffer.allocate(original.length);
        buffer.order(order).put(0, original);
        Masking.mask(buffer, from, from + length, key, offset);
        byte[] actual = new byte[original.length];
        buffer.get(0, actual);
        if (!java.util.Arrays.equals(actual, expected)) {
            throw new AssertionError("Masking differs: from " + from + ", length " + length + ", offset " + offset + ", " + order
                    + ", direct " + direct + ", key " + Integer.toHexString(key));
        }
        assertThat(buffer.position()).isZero();
        assertThat(buffer.order()).isEqualTo(order);
    }

    @Test
    @DisplayName("Every mask offset 0–3, every length 0–64, at start positions 0–8, both byte orders, heap and direct")
    void smallRangesExhaustively() {
        Random random = new Random(1);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            for (boolean direct : new boolean[] {false, true}) {
                for (int offset = 0; offset < 4; offset++) {
                    for (int length = 0; length <= 64; length++) {
                        for (int from = 0; from <= 8; from++) {
                            check(random, from, length, offset, order, direct);
                        }
                    }
                }
            }
        }
    }

    @Test
    void randomLargeRanges() {
        Random random = new Random(2);
        for (int n = 0; n < 500; n++) {
            ByteOrder order = random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            check(random, random.nextInt(32), random.nextInt(5000), random.nextInt(4), order, random.nextBoolean());
        }
    }

    @Test
    @DisplayName("Unmasking in pieces with the running offset equals unmasking at once")
    void piecewiseEqualsWhole() {
        Random random = new Random(3);
        for (int n = 0; n < 300; n++) {
            int key = random.nextInt();
            byte[] data = new byte[random.nextInt(300)];
            random.nextBytes(data);
            byte[] whole = data.clone();
            Masking.mask(whole, 0, whole.length, key, 0);
            byte[] pieces = data.clone();
            int at = 0;
            while (at < pieces.length) {
                int n2 = Math.min(pieces.length - at, 1 + random.nextInt(20));
                Masking.mask(pieces, at, at + n2, key, at & 3);
                at += n2;
            }
            assertThat(pieces).isEqualTo(whole);
        }
    }

    @Test
    void maskingTwiceRestoresTheInput() {
        byte[] data = "The operation is its own inverse".getBytes();
        byte[] copy = data.clone();
        Masking.mask(copy, 0, copy.length, 0xCAFEBABE, 1);
        assertThat(copy).isNotEqualTo(data);
        Masking.mask(copy, 0, copy.length, 0xCAFEBABE, 1);
        assertThat(copy).isEqualTo(data);
    }

    @Test
    @DisplayName("RFC 6455 §5.7: \"Hello\" with key 37 fa 21 3d is 7f 9f 4d 51 58")
    void rfcExample() {
        byte[] hello = "Hello".getBytes();
        Masking.mask(hello, 0, 5, 0x37fa213d, 0);
        assertThat(dev.duplex.protocol.Hex.of(hello)).isEqualTo("7f 9f 4d 51 58");
    }
}
