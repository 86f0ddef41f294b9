package dev.duplex.hub.protocol;

/**
 * The stable codes of {@code error} replies. A command error never closes the connection by itself;
 * a client that keeps sending bad commands is disconnected with {@link DisconnectCode#BAD_REQUEST}.
 */
public enum ErrorCode {
    INTERNAL(100, "internal server error"),
    UNAUTHORIZED(101, "unauthorized"),
    UNKNOWN_CHANNEL(102, "unknown channel"),
    PERMISSION_DENIED(103, "permission denied"),
    UNKNOWN_COMMAND(104, "unknown command"),
    ALREADY_SUBSCRIBED(105, "already subscribed"),
    LIMIT_EXCEEDED(106, "limit exceeded"),
    BAD_REQUEST(107, "bad request"),
    NOT_AVAILABLE(108, "not available"),
    TOKEN_EXPIRED(109, "token expired"),
    TOO_MANY_REQUESTS(110, "too many requests"),
    MESSAGE_TOO_LARGE(111, "message too large"),
    NOT_SUBSCRIBED(112, "not subscribed"),
    NOT_CONNECTED(113, "connect first"),
    ALREADY_CONNECTED(114, "already connected"),
    UNRECOVERABLE_POSITION(115, "position no longer in history"),
    /** The hub's broker (Redis) cannot be reached: nothing was done; retry after a few seconds. */
    BROKER_UNAVAILABLE(116, "broker unavailable");

    private final int code;
    private final String summary;

    ErrorCode(int code, String summary) {
        this.code = code;
        this.summary = summary;
    }

    public int code() {
        return code;
    }

    public String summary() {
        return summary;
    }

    /** The error code with this number, or null. */
    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
