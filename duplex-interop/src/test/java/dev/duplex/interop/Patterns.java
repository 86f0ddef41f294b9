package dev.duplex.interop;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Test data shared with the Node peers (client.mjs, server.mjs compute the same). */
final class Patterns {
    static final int MIB_16 = 16 * 1024 * 1024;
    /** 16 bytes of UTF-8: ASCII, 2-, 3- and 4-byte characters. */
    static final String TEXT_UNIT = "Dx\u20ac\uD83D\uDE00\u00e912345";

    private Patterns() {
    }

    /** {@code length} bytes, byte i = (i * 31 + 7) mod 256. */
    static byte[] binary(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    /** {@link #TEXT_UNIT} repeated: {@code 16 * units} bytes of UTF-8. */
    static String text(int units) {
        return TEXT_UNIT.repeat(units);
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
