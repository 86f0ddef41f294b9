package dev.duplex.protocol.handshake;

import java.util.ArrayList;
import java.util.List;

/**
 * Linear-time helpers for header values: comma lists and RFC 9110 tokens. Written by hand, with no
 * regular expressions, so that no input can make them backtrack (CVE-2021-32640 class).
 */
public final class HeaderTokens {
    private HeaderTokens() {
    }

    /** Splits a comma-separated list, trimming spaces and tabs and dropping empty elements. */
    public static List<String> split(String value) {
        List<String> elements = new ArrayList<>(2);
        int length = value.length();
        int start = 0;
        for (int i = 0; i <= length; i++) {
            if (i == length || value.charAt(i) == ',') {
                String element = trim(value, start, i);
                if (!element.isEmpty()) {
                    elements.add(element);
                }
                start = i + 1;
            }
        }
        return elements;
    }

    /** {@code value[from, to)} without leading and trailing spaces and tabs. */
    public static String trim(String value, int from, int to) {
        while (from < to && isWhitespace(value.charAt(from))) {
            from++;
        }
        while (to > from && isWhitespace(value.charAt(to - 1))) {
            to--;
        }
        return value.substring(from, to);
    }

    static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    /** Whether {@code s} is a non-empty RFC 9110 token (the form of header names and subprotocols). */
    public static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    public static boolean isTokenChar(char c) {
        if (c <= 0x20 || c >= 0x7F) {
            return false;
        }
        return "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    /** Whether {@code s} is safe as a header value: visible ASCII, spaces and tabs; no CR, LF or NUL. */
    public static boolean isSafeValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                return false;
            }
        }
        return true;
    }
}
