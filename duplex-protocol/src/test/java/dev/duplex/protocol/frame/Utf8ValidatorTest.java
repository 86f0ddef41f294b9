package dev.duplex.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Utf8Validator} against the JDK's strict decoder ({@link CodingErrorAction#REPORT}):
 * exhaustively over short sequences and on seeded random byte strings, whole and split at every
 * offset.
 */
class Utf8ValidatorTest {
    private static final byte[] INTERESTING = Hex.bytes(
            "80 8f 90 9f a0 bf c0 c1 c2 df e0 e1 ec ed ee ef f0 f1 f3 f4 f5 f7 f8 fe ff 7f 00");

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private CharBuffer chars = CharBuffer.allocate(256);

    /** Whether the JDK decodes {@code bytes[0, length)} as a complete, well-formed UTF-8 string. */
    private boolean jdkValid(byte[] bytes, int length) {
        if (chars.capacity() < length + 1) {
            chars = CharBuffer.allocate(length * 2 + 1);
        }
        decoder.reset();
        chars.clear();
        CoderResult result = decoder.decode(ByteBuffer.wrap(bytes, 0, length), chars, true);
        return !result.isError() && !decoder.flush(chars).isError();
    }

    /**
     * Whether {@code bytes[0, length)} could begin a well-formed UTF-8 string, i.e. some suffix of
     * at most three continuation bytes makes it one. The ranges a continuation byte may fall in
     * all have bounds among {@link #CONTINUATIONS}, so trying those is enough.
     */
    private boolean extendable(byte[] bytes, int length) {
        byte[] extended = Arrays.copyOf(bytes, length + 3);
        if (jdkValid(extended, length)) {
            return true;
        }
        for (int a : CONTINUATIONS) {
            extended[length] = (byte) a;
            if (jdkValid(extended, length + 1)) {
                return true;
            }
            for (int b : CONTINUATIONS) {
                extended[length + 1] = (byte) b;
                if (jdkValid(extended, length + 2)) {
                    return true;
                }
                for (int c : CONTINUATIONS) {
                    extended[length + 2] = (byte) c;
                    if (jdkValid(extended, length + 3)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static final int[] CONTINUATIONS = {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF};

    /** Our verdict on the whole input. */
    private static boolean valid(byte[] bytes, int length) {
        Utf8Validator validator = new Utf8Validator();
        return validator.validate(ByteBuffer.wrap(bytes), 0, length) < 0 && validator.isComplete();
    }

    /** Our verdict when the input arrives in two calls, split at {@code split}. */
    private static boolean validSplit(Utf8Validator validator, byte[] bytes, int length, int split) {
        validator.reset();
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return validator.validate(buffer, 0, split) < 0 && validator.validate(buffer, split, length) < 0 && validator.isComplete();
    }

    private void check(byte[] bytes, int length, Utf8Validator reused) {
        boolean expected = jdkValid(bytes, length);
        if (valid(bytes, length) != expected) {
            throw new AssertionError("Verdict differs from the JDK (" + expected + ") on " + Hex.of(bytes, length));
        }
        for (int split = 0; split <= length; split++) {
            if (validSplit(reused, bytes, length, split) != expected) {
                throw new AssertionError("Verdict differs from the JDK (" + expected + ") on " + Hex.of(bytes, length)
                        + " split at " + split);
            }
        }
    }

    @Test
    @DisplayName("Every 1-byte and every 2-byte sequence, whole and split")
    void everyOneAndTwoByteSequence() {
        Utf8Validator reused = new Utf8Validator();
        byte[] bytes = new byte[2];
        for (int a = 0; a < 256; a++) {
            bytes[0] = (byte) a;
            check(bytes, 1, reused);
            for (int b = 0; b < 256; b++) {
                bytes[1] = (byte) b;
                check(bytes, 2, reused);
            }
        }
    }

    @Test
    @DisplayName("Every 3-byte sequence with a lead byte E0–EF (16·256·256), whole and split at every offset")
    void everyThreeByteSequenceWithAThreeByteLead() {
        Utf8Validator reused = new Utf8Validator();
        byte[] bytes = new byte[3];
        int valid = 0;
        for (int a = 0xE0; a <= 0xEF; a++) {
            bytes[0] = (byte) a;
            for (int b = 0; b < 256; b++) {
                bytes[1] = (byte) b;
                for (int c = 0; c < 256; c++) {
                    bytes[2] = (byte) c;
                    check(bytes, 3, reused);
                    if (valid(bytes, 3)) {
                        valid++;
                    }
                }
            }
        }
        // U+0800..U+FFFF less the 2,048 surrogates.
        assertThat(valid).isEqualTo(0x10000 - 0x800 - 0x800);
    }

    @Test
    @DisplayName("4-byte sequences: every lead F0–F7 and second byte, with boundary third bytes and every fourth byte")
    void fourByteSequences() {
        Utf8Validator reused = new Utf8Validator();
        byte[] bytes = new byte[4];
        int[] thirds = {0x00, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
        for (int a = 0xF0; a <= 0xF7; a++) {
            bytes[0] = (byte) a;
            for (int b = 0; b < 256; b++) {
                bytes[1] = (byte) b;
                for (int c : thirds) {
                    bytes[2] = (byte) c;
                    for (int d = 0; d < 256; d++) {
                        bytes[3] = (byte) d;
                        check(bytes, 4, reused);
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("20,000 seeded random byte strings (biased to multi-byte sequences), whole and split at every offset")
    void randomStringsAgreeWithTheJdk() {
        Random random = new Random(20_240_601);
        Utf8Validator reused = new Utf8Validator();
        int validCount = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = randomBytes(random);
            check(bytes, bytes.length, reused);
            if (valid(bytes, bytes.length)) {
                validCount++;
            }
        }
        assertThat(validCount).as("the generator yields both outcomes").isBetween(4_000, 16_000);
    }

    @Test
    @DisplayName("Fail fast: the reported index is the first byte no valid string could continue with")
    void reportedIndexIsTheFirstImpossibleByte() {
        Random random = new Random(99);
        int invalid = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = randomBytes(random);
            int bad = new Utf8Validator().validate(ByteBuffer.wrap(bytes), 0, bytes.length);
            if (bad < 0) {
                continue;
            }
            invalid++;
            assertThat(extendable(bytes, bad)).as("prefix before %d of %s", bad, Hex.of(bytes, bytes.length)).isTrue();
            assertThat(extendable(bytes, bad + 1)).as("prefix through %d of %s", bad, Hex.of(bytes, bytes.length)).isFalse();
        }
        assertThat(invalid).isGreaterThan(1_000);
    }

    @Test
    @DisplayName("Results do not depend on where the bytes sit in the buffer or on its byte order (the 8-byte ASCII path)")
    void positionAndByteOrderDoNotMatter() {
        Random random = new Random(7);
        for (int n = 0; n < 3_000; n++) {
            byte[] bytes = randomBytes(random);
            boolean expected = jdkValid(bytes, bytes.length);
            int offset = random.nextInt(16);
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                for (boolean direct : new boolean[] {false, true}) {
                    ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(bytes.length + 32) : ByteBuffer.allocate(bytes.length + 32);
                    buffer.order(order);
                    for (int i = 0; i < buffer.capacity(); i++) {
                        buffer.put(i, (byte) 0xFF); // invalid everywhere outside the range
                    }
                    buffer.put(offset, bytes);
                    Utf8Validator validator = new Utf8Validator();
                    boolean actual = validator.validate(buffer, offset, offset + bytes.length) < 0 && validator.isComplete();
                    assertThat(actual).as("%s at %d, %s, direct=%s", Hex.of(bytes, bytes.length), offset, order, direct)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void longAsciiRunsWithOneBadByteAnywhere() {
        byte[] bytes = new byte[100];
        Arrays.fill(bytes, (byte) 'a');
        for (int at = 0; at < bytes.length; at++) {
            bytes[at] = (byte) 0x80;
            assertThat(new Utf8Validator().validate(ByteBuffer.wrap(bytes), 0, bytes.length)).isEqualTo(at);
            bytes[at] = 'a';
        }
        assertThat(valid(bytes, bytes.length)).isTrue();
    }

    @Test
    void resetForgetsAPartialCodePoint() {
        Utf8Validator validator = new Utf8Validator();
        assertThat(validator.validate(ByteBuffer.wrap(Hex.bytes("e2 82")), 0, 2)).isNegative();
        assertThat(validator.isComplete()).isFalse();
        validator.reset();
        assertThat(validator.isComplete()).isTrue();
        assertThat(validator.validate(ByteBuffer.wrap(Hex.bytes("41")), 0, 1)).isNegative();
        assertThat(validator.isComplete()).isTrue();
    }

    @Test
    void anEmptyRangeIsValid() {
        Utf8Validator validator = new Utf8Validator();
        assertThat(validator.validate(ByteBuffer.allocate(0), 0, 0)).isNegative();
        assertThat(validator.isComplete()).isTrue();
    }

    /** Random bytes biased towards multi-byte sequences: valid code points, ASCII runs and tricky bytes. */
    static byte[] randomBytes(Random random) {
        ByteBuffer out = ByteBuffer.allocate(256);
        boolean clean = random.nextInt(3) == 0; // a third are valid text, perhaps truncated
        int units = 1 + random.nextInt(12);
        for (int u = 0; u < units; u++) {
            int kind = random.nextInt(10);
            if (kind < 2) {
                int run = random.nextInt(20);
                for (int i = 0; i < run; i++) {
                    out.put((byte) (0x20 + random.nextInt(0x5F)));
                }
            } else if (kind < 8 || clean) {
                out.put(new String(Character.toChars(randomCodePoint(random))).getBytes(StandardCharsets.UTF_8));
            } else if (kind < 9) {
                out.put(INTERESTING[random.nextInt(INTERESTING.length)]);
            } else {
                out.put((byte) random.nextInt(256));
            }
        }
        byte[] bytes = Arrays.copyOf(out.array(), out.position());
        if (clean && bytes.length > 0 && random.nextInt(4) == 0) {
            bytes = Arrays.copyOf(bytes, bytes.length - 1);
        }
        return bytes;
    }

    static int randomCodePoint(Random random) {
        while (true) {
            int cp = switch (random.nextInt(5)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
                case 2 -> 0x800 + random.nextInt(0x10000 - 0x800);
                case 3 -> 0x10000 + random.nextInt(0x110000 - 0x10000);
                default -> new int[] {0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF}[random.nextInt(10)];
            };
            if (cp < 0xD800 || cp > 0xDFFF) {
                return cp;
            }
        }
    }

    /** Hex helpers local to the frame tests. */
    static final class Hex {
        static byte[] bytes(String hex) {
            return dev.duplex.protocol.Hex.parse(hex);
        }

        static String of(byte[] bytes, int length) {
            return dev.duplex.protocol.Hex.of(Arrays.copyOf(bytes, length));
        }
    }
}
