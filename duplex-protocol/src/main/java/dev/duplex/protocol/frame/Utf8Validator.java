package dev.duplex.protocol.frame;

import java.nio.ByteBuffer;

/**
 * Incremental, fail-fast UTF-8 validation (Unicode Table 3-7, "well-formed UTF-8 byte
 * sequences"). A code point may be split across calls, so a message can be checked fragment by
 * fragment, and the first invalid byte is found without waiting for the rest of the frame.
 *
 * <p>The state lives in one int: the number of continuation bytes still expected, and the allowed
 * range of the next one (narrower than 80..BF right after E0, ED, F0 and F4, which is how overlong
 * forms, surrogates and code points above U+10FFFF are excluded).
 *
 * <p>This class is not thread safe.
 */
public final class Utf8Validator {
    private static final long ASCII_MASK = 0x8080808080808080L;

    /** Continuation bytes still expected; 0 between code points. */
    private int pending;
    private int lower = 0x80;
    private int upper = 0xBF;

    /**
     * Checks {@code buffer[from, to)}.
     *
     * @return the index of the first invalid byte, or {@code -1} if every byte so far is valid
     */
    public int validate(ByteBuffer buffer, int from, int to) {
        // The state is kept in locals while scanning and written back once: field writes per byte
        // cost more than the checks themselves.
        int pending = this.pending;
        int lower = this.lower;
        int upper = this.upper;
        int i = from;
        int bad = -1;
        while (i < to) {
            if (pending == 0) {
                // Skip runs of ASCII eight bytes at a time.
                while (i + 8 <= to && (buffer.getLong(i) & ASCII_MASK) == 0) {
                    i += 8;
                }
                if (i == to) {
                    break;
                }
                int b = buffer.get(i) & 0xFF;
                i++;
                if (b < 0x80) {
                    continue;
                }
                if (b >= 0xC2 && b <= 0xDF) {
                    pending = 1;
                } else if (b >= 0xE0 && b <= 0xEF) {
                    pending = 2;
                    lower = b == 0xE0 ? 0xA0 : 0x80; // E0: exclude overlong 3-byte forms
                    upper = b == 0xED ? 0x9F : 0xBF; // ED: exclude UTF-16 surrogates D800..DFFF
                } else if (b >= 0xF0 && b <= 0xF4) {
                    pending = 3;
                    lower = b == 0xF0 ? 0x90 : 0x80; // F0: exclude overlong 4-byte forms
                    upper = b == 0xF4 ? 0x8F : 0xBF; // F4: exclude code points above U+10FFFF
                } else {
                    bad = i - 1; // 80..C1 (stray continuation, overlong 2-byte) and F5..FF
                    break;
                }
            } else {
                int b = buffer.get(i) & 0xFF;
                if (b < lower || b > upper) {
                    bad = i;
                    break;
                }
                i++;
                pending--;
                lower = 0x80;
                upper = 0xBF;
            }
        }
        this.pending = pending;
        this.lower = lower;
        this.upper = upper;
        return bad;
    }

    /** Whether the input so far ended on a code point boundary (needed at the end of a message). */
    public boolean isComplete() {
        return pending == 0;
    }

    /** Forgets any partial code point, ready for the next message. */
    public void reset() {
        pending = 0;
        lower = 0x80;
        upper = 0xBF;
    }
}
