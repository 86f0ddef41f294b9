package dev.duplex.protocol;

import java.util.HexFormat;

/** Hex strings such as {@code "81 05 48 65 6c 6c 6f"} (spaces ignored) to bytes and back. */
public final class Hex {
    private Hex() {
    }

    public static byte[] parse(String hex) {
        String compact = hex.replaceAll("\\s+", "");
        if (compact.length() % 2 != 0) {
            throw new IllegalArgumentException("Odd number of hex digits: " + hex);
        }
        return HexFormat.of().parseHex(compact);
    }

    /** Lower-case, space-separated: {@code "81 05 48"}. */
    public static String of(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
