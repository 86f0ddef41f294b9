package dev.duplex.protocol.extension.deflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.protocol.ByteOutput;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SmallWindowCompressor}: its output is valid raw DEFLATE (checked with the JDK's zlib) and
 * never refers back farther than 2^bits (checked with an independent decoder that records every
 * distance), within a message, across messages with context takeover, and after reset.
 */
class SmallWindowCompressorTest {
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    // ------------------------------------------------------------------ a test-only DEFLATE decoder

    /**
     * Decodes what the compressor emits: fixed-Huffman blocks and stored blocks, no dynamic ones.
     * Keeps all output as history (context takeover) and records the largest distance used; fails
     * on any distance beyond the window or before the start of the history.
     */
    static final class FixedHuffmanDecoder {
        private static final int[] LENGTH_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
            67, 83, 99, 115, 131, 163, 195, 227, 258};
        private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
            5, 5, 5, 5, 0};
        private static final int[] DIST_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
            513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
        private static final int[] DIST_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10,
            10, 11, 11, 12, 12, 13, 13};

        final int window;
        final ByteArrayOutputStream history = new ByteArrayOutputStream();
        int maxDistance;
        int matches;
        private byte[] in;
        private int bitPos;

        FixedHuffmanDecoder(int windowBits) {
            this.window = 1 << windowBits;
        }

        /** Decodes one message's compressed bytes (ending with the sync flush) and returns its bytes. */
        byte[] decode(byte[] compressed) {
            in = compressed;
            bitPos = 0;
            int start = history.size();
            byte[] out = history.toByteArray();
            int outLength = out.length;
            while (bitPos < in.length * 8L) {
                if (in.length * 8 - bitPos < 3) {
                    assertThat(bits(in.length * 8 - bitPos)).as("trailing padding").isZero();
                    break;
                }
                int bfinal = bits(1);
                int btype = bits(2);
                assertThat(bfinal).as("BFINAL").isZero();
                if (btype == 0) {
                    bitPos = (bitPos + 7) & ~7;
                    int len = bits(16);
                    int nlen = bits(16);
                    assertThat(len ^ 0xFFFF).as("NLEN").isEqualTo(nlen);
                    for (int i = 0; i < len; i++) {
                        out = ensure(out, outLength + 1);
                        out[outLength++] = (byte) bits(8);
                    }
                } else if (btype == 1) {
                    while (true) {
                        int symbol = literalSymbol();
                        if (symbol < 256) {
                            out = ensure(out, outLength + 1);
                            out[outLength++] = (byte) symbol;
                        } else if (symbol == 256) {
                            break;
                        } else {
                            int lc = symbol - 257;
                            assertThat(lc).as("length code").isLessThan(29);
                            int length = LENGTH_BASE[lc] + bits(LENGTH_EXTRA[lc]);
                            int dc = Integer.reverse(bits(5)) >>> 27; // Huffman codes are MSB first
                            assertThat(dc).as("distance code").isLessThan(30);
                            int distance = DIST_BASE[dc] + bits(DIST_EXTRA[dc]);
                            assertThat(distance).as("distance within the %d-byte window", window).isLessThanOrEqualTo(window);
                            assertThat(distance).as("distance within the history").isLessThanOrEqualTo(outLength);
                            maxDistance = Math.max(maxDistance, distance);
                            matches++;
                            out = ensure(out, outLength + length);
                            for (int k = 0; k < length; k++, outLength++) {
                                out[outLength] = out[outLength - distance];
                            }
                        }
                    }
                } else {
                    throw new AssertionError("Block type " + btype + " is not one the compressor emits");
                }
            }
            history.reset();
            history.write(out, 0, outLength);
            return Arrays.copyOfRange(out, start, outLength);
        }

        void reset() {
            history.reset();
        }

        private static byte[] ensure(byte[] a, int n) {
            return a.length >= n ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
        }

        private int literalSymbol() {
            int code = 0;
            for (int i = 0; i < 7; i++) {
                code = (code << 1) | bits(1);
            }
            if (code <= 0b0010111) {
                return 256 + code;
            }
            code = (code << 1) | bits(1);
            if (code >= 0b00110000 && code <= 0b10111111) {
                return code - 0b00110000;
            }
            if (code >= 0b11000000 && code <= 0b11000111) {
                return 280 + code - 0b11000000;
            }
            code = (code << 1) | bits(1);
            assertThat(code).as("9-bit literal code").isBetween(0b110010000, 0b111111111);
            return 144 + code - 0b110010000;
        }

        /** {@code n} bits, LSB first. */
        private int bits(int n) {
            int value = 0;
            for (int i = 0; i < n; i++) {
                if (bitPos >= in.length * 8) {
                    throw new AssertionError("Compressed data ends inside a block");
                }
                int bit = (in[bitPos >>> 3] >>> (bitPos & 7)) & 1;
                value |= bit << i;
                bitPos++;
            }
            return value;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] compress(MessageCompressor compressor, byte[] input) {
        ByteOutput out = new ByteOutput(64, false);
        ByteBuffer in = ByteBuffer.wrap(input);
        compressor.compress(in, out);
        assertThat(in.hasRemaining()).as("input consumed").isFalse();
        ByteBuffer flipped = out.flip();
        byte[] bytes = new byte[flipped.remaining()];
        flipped.get(bytes);
        assertThat(Arrays.copyOfRange(bytes, bytes.length - 4, bytes.length)).as("ends with the sync flush").isEqualTo(TAIL);
        return bytes;
    }

    /** Inflates with zlib (15-bit window), as a peer would after re-appending 00 00 ff ff to a message. */
    private static byte[] zlibInflate(Inflater inflater, byte[] compressedWithTail) {
        byte[] withoutTail = Arrays.copyOf(compressedWithTail, compressedWithTail.length - 4);
        inflater.setInput(concat(withoutTail, TAIL));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = inflater.inflate(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
        } catch (DataFormatException e) {
            throw new AssertionError(e);
        }
        assertThat(inflater.getRemaining()).isZero();
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** The size in bits of {@code data} coded as fixed-Huffman literals only (RFC 1951 §3.2.6). */
    private static long literalBits(byte[] data) {
        long bits = 0;
        for (byte b : data) {
            bits += (b & 0xFF) < 144 ? 8 : 9;
        }
        return bits;
    }

    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** Text with many repeats near and far. */
    private static byte[] text(Random r, int n) {
        String[] words = {"alpha ", "beta ", "gamma ", "délta ", "日本 ", "window ", "\n", "0123456789 "};
        StringBuilder b = new StringBuilder();
        while (b.length() < n) {
            b.append(words[r.nextInt(words.length)]);
        }
        return Arrays.copyOf(b.toString().getBytes(StandardCharsets.UTF_8), n);
    }

    // ------------------------------------------------------------------ tests

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14})
    @DisplayName("A repeat farther than the window is coded as literals; at exactly the window it is a match")
    void repeatBeyondTheWindowIsLiterals(int bits) {
        int window = 1 << bits;
        Random r = new Random(bits);
        byte[] block = random(r, 300);
        // block, filler, block again at distance window + 50: too far
        byte[] far = concat(block, random(r, window + 50 - 300 > 0 ? window + 50 - 300 : 0), block);
        if (window + 50 < 300) {
            far = concat(block, random(r, 6), block); // 8 bits: distance 306 > 256
        }
        SmallWindowCompressor compressor = new SmallWindowCompressor(bits);
        FixedHuffmanDecoder decoder = new FixedHuffmanDecoder(bits);
        byte[] compressed = compress(compressor, far);
        assertThat(decoder.decode(compressed)).isEqualTo(far);
        assertThat(decoder.maxDistance).isLessThanOrEqualTo(window);
        assertThat(compressor.maxDistanceEmitted).isEqualTo(decoder.maxDistance);
        assertThat(compressed.length * 8L).as("the far repeat saved nothing").isGreaterThan(literalBits(far) - 64);
        assertThat(zlibInflate(new Inflater(true), compressed)).isEqualTo(far);

        // The same block at exactly the window's distance may be referenced.
        int len = Math.min(300, window / 2);
        byte[] shortBlock = Arrays.copyOf(block, len);
        byte[] near = concat(shortBlock, random(r, window - len), shortBlock);
        compressor.reset();
        decoder.reset();
        byte[] nearCompressed = compress(compressor, near);
        assertThat(decoder.decode(nearCompressed)).isEqualTo(near);
        assertThat(decoder.maxDistance).isEqualTo(window);
        assertThat(nearCompressed.length * 8L).as("the repeat at the window's edge was used").isLessThan(literalBits(near) - len * 4L);
        assertThat(zlibInflate(new Inflater(true), nearCompressed)).isEqualTo(near);
    }

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14})
    @DisplayName("Context takeover: references into earlier messages stay within the window; zlib and the test decoder agree")
    void contextTakeoverAcrossMessages(int bits) {
        int window = 1 << bits;
        Random r = new Random(100 + bits);
        SmallWindowCompressor compressor = new SmallWindowCompressor(bits);
        FixedHuffmanDecoder decoder = new FixedHuffmanDecoder(bits);
        Inflater inflater = new Inflater(true);
        byte[] block = random(r, 300);
        byte[][] messages = {
            block, // message 2 repeats it at distance 300
            block,
            concat(random(r, Math.max(10, window + 50 - 300)), block),
            random(r, window + 50), // pushes everything out of the window
            block, // now farther than the window: literals
            text(r, 5 * window),
            text(r, 3 * window),
            new byte[0],
            random(r, 3),
            text(r, 100_000),
        };
        for (int i = 0; i < messages.length; i++) {
            byte[] compressed = compress(compressor, messages[i]);
            assertThat(decoder.decode(compressed)).as("message %d, test decoder", i).isEqualTo(messages[i]);
            assertThat(zlibInflate(inflater, compressed)).as("message %d, zlib", i).isEqualTo(messages[i]);
            assertThat(decoder.maxDistance).as("message %d", i).isLessThanOrEqualTo(window);
            if (i == 1 && bits >= 9) {
                assertThat(compressed.length).as("message 1 refers back into message 0").isLessThan(50);
            }
            if (i == 4) {
                assertThat(compressed.length).as("message 4's block is out of reach").isGreaterThan(300);
            }
        }
        assertThat(compressor.maxDistanceEmitted).isEqualTo(decoder.maxDistance);
        assertThat(decoder.matches).isPositive();
        inflater.end();
    }

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14})
    @DisplayName("After reset() nothing refers to earlier messages: each message decodes with a fresh inflater")
    void resetForgetsTheWindow(int bits) {
        Random r = new Random(200 + bits);
        SmallWindowCompressor compressor = new SmallWindowCompressor(bits);
        byte[] block = text(r, 2000);
        for (int i = 0; i < 20; i++) {
            byte[] message = i % 3 == 0 ? block : i % 3 == 1 ? text(r, 1 + r.nextInt(50_000)) : random(r, r.nextInt(3000));
            byte[] compressed = compress(compressor, message);
            FixedHuffmanDecoder fresh = new FixedHuffmanDecoder(bits);
            assertThat(fresh.decode(compressed)).as("message %d", i).isEqualTo(message); // fails on a reference before the start
            assertThat(fresh.maxDistance).isLessThanOrEqualTo(1 << bits);
            Inflater inflater = new Inflater(true);
            assertThat(zlibInflate(inflater, compressed)).isEqualTo(message);
            inflater.end();
            compressor.reset();
        }
    }

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14})
    @DisplayName("Seeded random inputs, compressible and not, large and tiny: valid, window respected, through PerMessageDeflate too")
    void randomInputs(int bits) {
        Random r = new Random(300 + bits);
        SmallWindowCompressor compressor = new SmallWindowCompressor(bits);
        FixedHuffmanDecoder decoder = new FixedHuffmanDecoder(bits);
        Inflater inflater = new Inflater(true);
        for (int i = 0; i < 60; i++) {
            int size = i < 3 ? new int[] {0, 1, 2}[i] : r.nextInt(4) == 0 ? r.nextInt(200_000) : r.nextInt(5000);
            byte[] message = r.nextBoolean() ? text(r, size) : random(r, size);
            if (r.nextInt(4) == 0) { // long runs and overlapping copies
                Arrays.fill(message, size / 3, size / 2, (byte) 'z');
            }
            byte[] compressed = compress(compressor, message);
            assertThat(decoder.decode(compressed)).isEqualTo(message);
            assertThat(zlibInflate(inflater, compressed)).isEqualTo(message);
        }
        assertThat(decoder.maxDistance).isLessThanOrEqualTo(1 << bits);
        assertThat(compressor.maxDistanceEmitted).isEqualTo(decoder.maxDistance);
        inflater.end();

        // The pool picks this compressor for small windows, and PerMessageDeflate strips the tail.
        assertThat(CompressionPool.newCompressor(bits, 6)).isInstanceOf(SmallWindowCompressor.class);
        PerMessageDeflate deflate = new PerMessageDeflate(new DeflateAgreement(false, false, bits, 15, 6, 0), new CompressionPool());
        FixedHuffmanDecoder viaPmd = new FixedHuffmanDecoder(bits);
        for (int i = 0; i < 10; i++) {
            byte[] message = text(r, r.nextInt(20_000));
            ByteBuffer payload = deflate.compress(ByteBuffer.wrap(message), true);
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            assertThat(viaPmd.decode(concat(bytes, TAIL))).isEqualTo(message);
        }
        assertThat(viaPmd.maxDistance).isLessThanOrEqualTo(1 << bits);
        deflate.release();
    }

    @Test
    @DisplayName("Window bits outside 8-14 are refused; 15 bits use zlib")
    void windowBitsRange() {
        assertThatThrownBy(() -> new SmallWindowCompressor(7)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SmallWindowCompressor(15)).isInstanceOf(IllegalArgumentException.class);
        assertThat(CompressionPool.newCompressor(15, 6)).isInstanceOf(ZlibCompressor.class);
    }
}
