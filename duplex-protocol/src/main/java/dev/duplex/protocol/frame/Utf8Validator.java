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
        int i = from;
        while (i < to) {
            if (pending == 0) {
                // Fast path: skip runs of ASCII eight bytes at a time.
                while (i + 8 <= to && (buffer.getLong(i) & ASCII_MASK) == 0) {
                    i += 8;
                }
                if (i == to) {
                    break;
                }
                int b = buffer.get(i) & 0xFF;
                if (b < 0x80) {
                    i++;
                    continue;
                }
                if (!startSequence(b)) {
                    return i;
                }
            } else {
                int b = buffer.get(i) & 0xFF;
                if (b < lower || b > upper) {
                    return i;
                }
                pending--;
                lower = 0x80;
                upper = 0xBF;
            }
            i++;
        }
        return -1;
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

    private boolean startSequence(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) {
            pending = 1;
        } else if (lead == 0xE0) {
            pending = 2;
            lower = 0xA0; // exclude overlong 3-byte forms
        } else if (lead == 0xED) {
            pending = 2;
            upper = 0x9F; // exclude UTF-16 surrogates D800..DFFF
        } else if (lead >= 0xE1 && lead <= 0xEF) {
            pending = 2;
        } else if (lead == 0xF0) {
            pending = 3;
            lower = 0x90; // exclude overlong 4-byte forms
        } else if (lead >= 0xF1 && lead <= 0xF3) {
            pending = 3;
        } else if (lead == 0xF4) {
            pending = 3;
            upper = 0x8F; // exclude code points above U+10FFFF
        } else {
            return false; // 80..C1 (stray continuation, overlong 2-byte) and F5..FF
        }
        return true;
    }
}
