package dev.duplex.conformance.cases;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

/** Small helpers the section classes build payloads and durations with. */
final class Payloads {
    static final byte[] EMPTY = new byte[0];

    private Payloads() {
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code length} copies of {@code b}. */
    static byte[] filled(int b, int length) {
        byte[] out = new byte[length];
        Arrays.fill(out, (byte) b);
        return out;
    }

    /** {@code pattern} repeated and cut to exactly {@code length} octets (Autobahn's {@code payload_len}). */
    static byte[] repeated(byte[] pattern, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i += pattern.length) {
            System.arraycopy(pattern, 0, out, i, Math.min(pattern.length, length - i));
        }
        return out;
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
