package dev.duplex.bench.engine;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Deterministic benchmark inputs of an exact byte size. */
public final class Payloads {

    /** What a text payload is made of; each is valid UTF-8 of exactly the requested size. */
    public enum Text {
        /** One byte per character. */
        ASCII("The quick brown fox jumps over the lazy dog. 0123456789 "),
        /** Mostly two-byte characters (U+0080..U+07FF), as in accented European text. */
        LATIN1("àéîõüçñßøåæœ ÀÉÎÕÜÇÑØÅÆ"),
        /** Three-byte characters (U+0800..U+FFFF), as in Chinese or Japanese text. */
        CJK("日本語のテキスト漢字中文文本한국어"),
        /** Four-byte characters (supplementary planes, surrogate pairs in Java). */
        EMOJI("😀🎉🚀👍🔥💡🌍🎵"),
        /** Chat-like mix of 1-, 2-, 3- and 4-byte characters. */
        MIXED("Hello wörld — 日本語 😀 naïve café 🚀 ");

        private final String unit;

        Text(String unit) {
            this.unit = unit;
        }

        /** Exactly {@code size} bytes of valid UTF-8, padded with ASCII where a character would not fit. */
        byte[] utf8(int size) {
            return string(size).getBytes(StandardCharsets.UTF_8);
        }

        /** A string whose UTF-8 form is exactly {@code size} bytes. */
        String string(int size) {
            StringBuilder b = new StringBuilder(size);
            int bytes = 0;
            int i = 0;
            while (bytes < size) {
                int cp = unit.codePointAt(i);
                i = (i + Character.charCount(cp)) % unit.length();
                int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (bytes + n <= size) {
                    b.appendCodePoint(cp);
                    bytes += n;
                } else {
                    b.append('.');
                    bytes++;
                }
            }
            return b.toString();
        }
    }

    private Payloads() {
    }

    /** {@code size} pseudo-random bytes, the same for every run. */
    static byte[] random(int size) {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }
}
