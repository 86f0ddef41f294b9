package dev.duplex.hub.protocol;

/**
 * Checks a MessagePack message before any parser sees it, so that the binary format gets the same
 * limits as JSON: one value and nothing after it, nesting at most {@link HubCodec#MAX_NESTING_DEPTH},
 * every declared length and element count backed by bytes that actually arrived (a 6-byte message
 * declaring a 60 MiB string is refused before anything is allocated), strings of valid UTF-8 (as a
 * JSON message's text must be), map keys that are strings (so every message has a JSON form), and no
 * extension types (they have none). One pass, no recursion,
 * no allocation beyond a small stack. Stateless and thread-safe.
 */
final class MessagePackCheck {
    private MessagePackCheck() {
    }

    /** @throws ProtocolException 107 naming what is wrong and where */
    static void check(byte[] bytes, int offset, int length) throws ProtocolException {
        int end = offset + length;
        int depth = 0;
        // Per open container: items still expected, and whether it is a map (whose even items are keys).
        long[] remaining = new long[HubCodec.MAX_NESTING_DEPTH + 1];
        boolean[] map = new boolean[HubCodec.MAX_NESTING_DEPTH + 1];
        remaining[0] = 1; // the top-level value
        int p = offset;
        while (true) {
            while (depth > 0 && remaining[depth] == 0) {
                depth--; // a container is complete
            }
            if (depth == 0 && remaining[0] == 0) {
                break;
            }
            if (p >= end) {
                throw bad("the message ends inside a value", p - offset);
            }
            boolean key = map[depth] && (remaining[depth] & 1) == 0;
            remaining[depth]--;
            int b = bytes[p] & 0xFF;
            int at = p - offset;
            p++;
            if (key && !isString(b)) {
                throw bad("map keys must be strings (JSON has no other kind)", at);
            }
            long items = -1; // -1: a scalar; otherwise the items of a new container
            boolean isMap = false;
            long skip = 0;
            boolean string = b == 0xd9 || b == 0xda || b == 0xdb;
            if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
                skip = 0; // fixint, nil, false, true
            } else if (b <= 0x8f) {
                items = 2L * (b & 0x0f);
                isMap = true;
            } else if (b <= 0x9f) {
                items = b & 0x0f;
            } else if (b <= 0xbf) {
                skip = b & 0x1f; // fixstr
                string = true;
            } else {
                switch (b) {
                    case 0xc4, 0xd9 -> skip = unsigned(bytes, p, 1, end, at);
                    case 0xc5, 0xda -> skip = unsigned(bytes, p, 2, end, at);
                    case 0xc6, 0xdb -> skip = unsigned(bytes, p, 4, end, at);
                    case 0xca, 0xce, 0xd2 -> skip = 4;
                    case 0xcb, 0xcf, 0xd3 -> skip = 8;
                    case 0xcc, 0xd0 -> skip = 1;
                    case 0xcd, 0xd1 -> skip = 2;
                    case 0xdc -> items = unsigned(bytes, p, 2, end, at);
                    case 0xdd -> items = unsigned(bytes, p, 4, end, at);
                    case 0xde -> {
                        items = 2 * unsigned(bytes, p, 2, end, at);
                        isMap = true;
                    }
                    case 0xdf -> {
                        items = 2 * unsigned(bytes, p, 4, end, at);
                        isMap = true;
                    }
                    case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 ->
                            throw bad("MessagePack extension types are not supported", at);
                    default -> throw bad("0xc1 is not a MessagePack type", at);
                }
                p += lengthBytes(b);
            }
            if (items >= 0) {
                // Every element takes at least one byte: a count larger than what is left cannot be true.
                if (items > end - p) {
                    long count = isMap ? items / 2 : items;
                    throw bad("a " + (isMap ? "map" : "array") + " declares " + count + (count == 1 ? " element" : " elements")
                            + " but only " + (end - p) + (end - p == 1 ? " byte follows" : " bytes follow"), at);
                }
                if (depth + 1 > HubCodec.MAX_NESTING_DEPTH) {
                    throw bad("nesting deeper than " + HubCodec.MAX_NESTING_DEPTH + " levels", at);
                }
                depth++;
                remaining[depth] = items;
                map[depth] = isMap;
            } else {
                if (skip > end - p) {
                    throw bad("a value declares " + skip + " bytes but only " + (end - p) + " follow", at);
                }
                if (string && !isUtf8(bytes, p, p + (int) skip)) {
                    throw bad("a string is not valid UTF-8", at);
                }
                p += (int) skip;
            }
        }
        if (p != end) {
            throw bad((end - p) + " bytes follow the message's value", p - offset);
        }
    }

    /** Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
    private static boolean isUtf8(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                i++;
                continue;
            }
            int n;
            int min;
            if (b0 >= 0xc2 && b0 <= 0xdf) {
                n = 1;
                min = 0x80;
            } else if (b0 >= 0xe0 && b0 <= 0xef) {
                n = 2;
                min = 0x800;
            } else if (b0 >= 0xf0 && b0 <= 0xf4) {
                n = 3;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + n >= to) { // the sequence runs past the string
                return false;
            }
            int cp = b0 & (0x3f >> n);
            for (int k = 1; k <= n; k++) {
                int c = bytes[i + k] & 0xFF;
                if ((c & 0xc0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (c & 0x3f);
            }
            if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
                return false;
            }
            i += n + 1;
        }
        return true;
    }

    private static boolean isString(int b) {
        return (b >= 0xa0 && b <= 0xbf) || b == 0xd9 || b == 0xda || b == 0xdb;
    }

    /** Bytes after the type byte that hold a length or count. */
    private static int lengthBytes(int b) {
        return switch (b) {
            case 0xc4, 0xd9 -> 1;
            case 0xc5, 0xda, 0xdc, 0xde -> 2;
            case 0xc6, 0xdb, 0xdd, 0xdf -> 4;
            default -> 0;
        };
    }

    private static long unsigned(byte[] bytes, int p, int n, int end, int at) throws ProtocolException {
        if (p + n > end) {
            throw bad("the message ends inside a length", at);
        }
        long value = 0;
        for (int i = 0; i < n; i++) {
            value = (value << 8) | (bytes[p + i] & 0xFF);
        }
        return value;
    }

    private static ProtocolException bad(String what, int at) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, "Malformed MessagePack at byte " + at + ": " + what, null);
    }
}
