package dev.duplex.protocol;

/**
 * Close status codes (RFC 6455 §7.4.1 and the IANA registry). Codes are an open set, so they are
 * plain ints: applications may use 3000–4999.
 */
public final class CloseCodes {
    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int UNSUPPORTED_DATA = 1003;
    /** Reported locally when a Close frame carried no code; never sent. */
    public static final int NO_STATUS = 1005;
    /** Reported locally when the connection dropped without a close handshake; never sent. */
    public static final int ABNORMAL = 1006;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int MESSAGE_TOO_BIG = 1009;
    public static final int MANDATORY_EXTENSION = 1010;
    public static final int INTERNAL_ERROR = 1011;
    public static final int SERVICE_RESTART = 1012;
    public static final int TRY_AGAIN_LATER = 1013;
    public static final int BAD_GATEWAY = 1014;
    /** Reported locally when the TLS handshake failed; never sent. */
    public static final int TLS_HANDSHAKE = 1015;

    /** A Close frame's reason holds at most 123 bytes of UTF-8: 125 bytes of control payload less the code. */
    public static final int MAX_REASON_BYTES = 123;

    private CloseCodes() {
    }

    /** @throws IllegalArgumentException if {@code code} may not be sent in a Close frame (RFC 6455 §7.4) */
    public static void checkCode(int code) {
        if (!isValidOnWire(code)) {
            throw new IllegalArgumentException("Close code " + code + " may not be sent (RFC 6455 §7.4)");
        }
    }

    /**
     * @throws IllegalArgumentException if {@code reason} (null: none) is longer than a Close frame
     *     holds (RFC 6455 §5.5)
     */
    public static void checkReason(String reason) {
        if (reason != null && dev.duplex.protocol.frame.Utf8.encodedLength(reason) > MAX_REASON_BYTES) {
            throw new IllegalArgumentException("Close reason exceeds " + MAX_REASON_BYTES + " bytes of UTF-8 (RFC 6455 §5.5)");
        }
    }

    /** {@code reason} (null: "") cut at a character boundary to fit a Close frame. */
    public static String fitReason(String reason) {
        String fitted = reason == null ? "" : reason;
        while (dev.duplex.protocol.frame.Utf8.encodedLength(fitted) > MAX_REASON_BYTES) {
            int cut = fitted.length() - 1;
            if (Character.isLowSurrogate(fitted.charAt(cut))) {
                cut--;
            }
            fitted = fitted.substring(0, cut);
        }
        return fitted;
    }

    /**
     * Whether {@code code} may appear in a Close frame on the wire: the defined codes 1000–1003 and
     * 1007–1014, and the registered/private ranges 3000–4999. 1004 is reserved, 1005/1006/1015 are
     * local-only, 1016–2999 are reserved for future RFCs.
     */
    public static boolean isValidOnWire(int code) {
        return (code >= 1000 && code <= 1003)
                || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
    }

    /** A short name for logs: "1000 NORMAL", "4001". */
    public static String describe(int code) {
        String name = switch (code) {
            case NORMAL -> "NORMAL";
            case GOING_AWAY -> "GOING_AWAY";
            case PROTOCOL_ERROR -> "PROTOCOL_ERROR";
            case UNSUPPORTED_DATA -> "UNSUPPORTED_DATA";
            case NO_STATUS -> "NO_STATUS";
            case ABNORMAL -> "ABNORMAL";
            case INVALID_PAYLOAD -> "INVALID_PAYLOAD";
            case POLICY_VIOLATION -> "POLICY_VIOLATION";
            case MESSAGE_TOO_BIG -> "MESSAGE_TOO_BIG";
            case MANDATORY_EXTENSION -> "MANDATORY_EXTENSION";
            case INTERNAL_ERROR -> "INTERNAL_ERROR";
            case SERVICE_RESTART -> "SERVICE_RESTART";
            case TRY_AGAIN_LATER -> "TRY_AGAIN_LATER";
            case BAD_GATEWAY -> "BAD_GATEWAY";
            case TLS_HANDSHAKE -> "TLS_HANDSHAKE";
            default -> null;
        };
        return name == null ? Integer.toString(code) : code + " " + name;
    }
}
