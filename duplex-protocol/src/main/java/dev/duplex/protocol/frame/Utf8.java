package dev.duplex.protocol.frame;

import java.nio.ByteBuffer;

/** UTF-8 encoding straight into a buffer, without the intermediate byte[] of String.getBytes. */
public final class Utf8 {
    private Utf8() {
    }

    /**
     * The number of bytes {@code text} takes in UTF-8.
     *
     * @throws IllegalArgumentException if the text holds an unpaired surrogate, which has no UTF-8 form
     */
    public static int encodedLength(CharSequence text) {
        int length = text.length();
        int bytes = length;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isSurrogate(c)) {
                    if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                        bytes += 2; // 4 bytes for the pair of 2 chars
                        i++;
                    } else {
                        throw new IllegalArgumentException("Text holds an unpaired surrogate at index " + i
                                + "; it cannot be encoded as UTF-8");
                    }
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }

    /** Encodes {@code text} at the buffer's position, advancing it. Call {@link #encodedLength} first. */
    public static void encode(CharSequence text, ByteBuffer out) {
        int length = text.length();
        int at = out.position();
        int i = 0;
        // ASCII prefix with absolute puts: no position bookkeeping per byte.
        while (i < length) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                break;
            }
            out.put(at + i, (byte) c);
            i++;
        }
        out.position(at + i);
        for (; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out.put((byte) c);
            } else if (c < 0x800) {
                out.put((byte) (0xC0 | (c >> 6)));
                out.put((byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c)) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out.put((byte) (0xF0 | (cp >> 18)));
                out.put((byte) (0x80 | ((cp >> 12) & 0x3F)));
                out.put((byte) (0x80 | ((cp >> 6) & 0x3F)));
                out.put((byte) (0x80 | (cp & 0x3F)));
            } else {
                out.put((byte) (0xE0 | (c >> 12)));
                out.put((byte) (0x80 | ((c >> 6) & 0x3F)));
                out.put((byte) (0x80 | (c & 0x3F)));
            }
        }
    }
}
