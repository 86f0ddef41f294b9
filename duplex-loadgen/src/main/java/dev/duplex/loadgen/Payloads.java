package dev.duplex.loadgen;

import java.nio.ByteBuffer;

/**
 * Timestamps (and sequence numbers) inside payloads, without allocation. A binary payload carries
 * a big-endian {@code long} at byte 0; a text payload carries it as 16 lower-case hex digits at
 * bytes 0–15 (so the message stays valid ASCII), padded with letters. Fan-out payloads carry the
 * publisher's sequence number at byte 0 and the send time at byte 8, both binary.
 */
final class Payloads {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Payloads() {
    }

    /** The smallest payload that can carry a timestamp. */
    static int minimumSize(boolean text) {
        return text ? 16 : 8;
    }

    /** A payload of {@code size} bytes: zeros for binary, ASCII letters for text. */
    static ByteBuffer allocate(int size, boolean text) {
        ByteBuffer payload = ByteBuffer.allocate(size);
        if (text) {
            for (int i = 0; i < size; i++) {
                payload.put(i, (byte) ('a' + i % 26));
            }
        }
        return payload;
    }

    static void writeTimestamp(ByteBuffer payload, long nanos, boolean text) {
        if (text) {
            for (int i = 15; i >= 0; i--) {
                payload.put(i, HEX[(int) (nanos >>> ((15 - i) * 4)) & 0xF]);
            }
        } else {
            payload.putLong(0, nanos);
        }
    }

    /** Reads the timestamp from the first bytes of a message; {@code length} is how many of them there are. */
    static long readTimestamp(byte[] head, int length, boolean text) {
        if (text) {
            if (length < 16) {
                return Long.MIN_VALUE;
            }
            long value = 0;
            for (int i = 0; i < 16; i++) {
                int digit = Character.digit(head[i], 16);
                if (digit < 0) {
                    return Long.MIN_VALUE;
                }
                value = (value << 4) | digit;
            }
            return value;
        }
        return length < 8 ? Long.MIN_VALUE : readLong(head, 0);
    }

    static long readLong(byte[] b, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (b[offset + i] & 0xFF);
        }
        return value;
    }
}
