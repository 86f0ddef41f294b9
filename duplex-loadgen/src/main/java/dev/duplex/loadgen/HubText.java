package dev.duplex.loadgen;

import java.nio.charset.StandardCharsets;

/**
 * Just enough of the hub's JSON for a load generator, without a parser and without allocating on
 * the hot path: find a key's bytes ({@code "offset":}) in the first bytes of a message and read the
 * integer after it; write decimal integers into a preallocated command. The hub writes compact JSON
 * ({@code {"type":"publication","channel":…,"offset":42,"data":{…}}}); the reads do not depend on
 * the order of the fields. Strings (error messages, the type of a setup reply) are read only during
 * setup and for errors.
 */
final class HubText {
    static final long NONE = Long.MIN_VALUE;

    private HubText() {
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The key as it appears before its value: {@code "name":}. */
    static byte[] key(String name) {
        return ascii("\"" + name + "\":");
    }

    static boolean startsWith(byte[] b, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Where {@code key} starts in {@code b[from, length)}, or -1. */
    static int indexOf(byte[] b, int from, int length, byte[] key) {
        byte first = key[0];
        int last = length - key.length;
        outer:
        for (int i = Math.max(0, from); i <= last; i++) {
            if (b[i] != first) {
                continue;
            }
            for (int j = 1; j < key.length; j++) {
                if (b[i + j] != key[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The integer right after {@code key} (found from {@code from} on), or {@link #NONE}. */
    static long longAfter(byte[] b, int from, int length, byte[] key) {
        int at = indexOf(b, from, length, key);
        return at < 0 ? NONE : readLong(b, at + key.length, length);
    }

    /**
     * The decimal integer at {@code b[i]} (an optional minus sign, then digits, ended by anything
     * else), or {@link #NONE} when there is none or it was cut off by the end of the captured bytes.
     */
    static long readLong(byte[] b, int i, int length) {
        boolean negative = i < length && b[i] == '-';
        if (negative) {
            i++;
        }
        long value = 0;
        int digits = 0;
        while (i < length) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            value = value * 10 + d;
            digits++;
            i++;
        }
        if (digits == 0 || digits > 19 || i >= length) {
            return NONE; // no number, too long, or it may continue beyond what was captured
        }
        return negative ? -value : value;
    }

    /** The string value after {@code key}, unescaped only for \" and \\ (setup replies and errors), or null. */
    static String stringAfter(byte[] b, int length, byte[] key) {
        int at = indexOf(b, 0, length, key);
        if (at < 0) {
            return null;
        }
        int i = at + key.length;
        if (i >= length || b[i] != '"') {
            return null;
        }
        int start = ++i;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (; i < length; i++) {
            byte c = b[i];
            if (c == '"') {
                bytes.write(b, start, i - start);
                return bytes.toString(StandardCharsets.UTF_8);
            }
            if (c == '\\' && i + 1 < length) {
                bytes.write(b, start, i - start);
                i++;
                bytes.write(b[i] == 'n' ? '\n' : b[i] == 't' ? '\t' : b[i]);
                start = i + 1;
            }
        }
        bytes.write(b, start, Math.max(0, length - start));
        return bytes.toString(StandardCharsets.UTF_8) + "…"; // cut off by the end of the captured bytes
    }

    /** The message's {@code type}, or "" (setup replies and rare pushes only: allocates). */
    static String type(byte[] b, int length) {
        String type = stringAfter(b, length, TYPE);
        return type == null ? "" : type;
    }

    private static final byte[] TYPE = key("type");

    /** The start of a message, for error details. */
    static String preview(byte[] b, int length) {
        int n = Math.min(length, 160);
        return new String(b, 0, n, StandardCharsets.UTF_8) + (length > n ? "…" : "");
    }

    /** Writes {@code value} in decimal at {@code b[at]}; returns the index after it. */
    static int writeLong(byte[] b, int at, long value) {
        if (value == Long.MIN_VALUE) {
            byte[] min = ascii(Long.toString(value));
            System.arraycopy(min, 0, b, at, min.length);
            return at + min.length;
        }
        if (value < 0) {
            b[at++] = '-';
            value = -value;
        }
        int digits = digits(value);
        int end = at + digits;
        for (int i = end - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return end;
    }

    /** Decimal digits of a non-negative value. */
    static int digits(long value) {
        int n = 1;
        while (value >= 10) {
            value /= 10;
            n++;
        }
        return n;
    }

    /** {@code s} as a JSON string literal, quotes included. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
