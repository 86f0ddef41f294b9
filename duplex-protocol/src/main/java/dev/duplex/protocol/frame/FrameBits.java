package dev.duplex.protocol.frame;

/**
 * Bit layout of a frame header (RFC 6455 §5.2).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |     Extended payload length continued, if payload len == 127  |
 * + - - - - - - - - - - - - - - - +-------------------------------+
 * |                               |Masking-key, if MASK set to 1  |
 * +-------------------------------+-------------------------------+
 * | Masking-key (continued)       |          Payload Data         |
 * +-------------------------------- - - - - - - - - - - - - - - - +
 * </pre>
 */
public final class FrameBits {
    public static final int B0_FIN = 0x80;
    public static final int B0_RSV1 = 0x40;
    public static final int B0_RSV2 = 0x20;
    public static final int B0_RSV3 = 0x10;
    public static final int B0_RSV_ALL = 0x70;
    public static final int B0_OPCODE = 0x0F;
    public static final int B1_MASK = 0x80;
    public static final int B1_LENGTH = 0x7F;

    /** Length byte values that announce a 16-bit or 64-bit extended length. */
    public static final int LENGTH_16 = 126;
    public static final int LENGTH_64 = 127;

    /** Largest payload that fits the 7-bit length field, and the limit for control frames. */
    public static final int MAX_SHORT_LENGTH = 125;
    public static final int MAX_CONTROL_PAYLOAD = 125;
    /** Longest possible header: 2 + 8 (length) + 4 (mask). */
    public static final int MAX_HEADER_BYTES = 14;

    private FrameBits() {
    }

    /** The header size for a payload of {@code length} bytes, masked or not. */
    public static int headerSize(long length, boolean masked) {
        int size = length <= MAX_SHORT_LENGTH ? 2 : length <= 0xFFFF ? 4 : 10;
        return masked ? size + 4 : size;
    }

    /** @throws IllegalArgumentException if a control frame's payload would pass 125 bytes (RFC 6455 §5.5) */
    public static void checkControlPayload(String what, int length) {
        if (length > MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException(what + " payload of " + length + " bytes exceeds "
                    + MAX_CONTROL_PAYLOAD + " (RFC 6455 §5.5)");
        }
    }
}
