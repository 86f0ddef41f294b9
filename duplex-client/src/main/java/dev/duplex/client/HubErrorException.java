package dev.duplex.client;

import dev.duplex.hub.protocol.ErrorCode;

/** The hub answered a command with an {@code error} (PROTOCOL.md, "Error codes"); the connection stays open. */
public final class HubErrorException extends DuplexClientException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final transient ErrorCode errorCode;

    /**
     * @param code the error code the hub sent
     * @param message the hub's message
     */
    public HubErrorException(int code, String message) {
        super(describe(code, message));
        this.code = code;
        this.errorCode = ErrorCode.of(code);
    }

    /** The error code as the hub sent it, also when this client does not know it. */
    public int code() {
        return code;
    }

    /** The error code, or null for a code newer than this client. */
    public ErrorCode errorCode() {
        return errorCode;
    }

    private static String describe(int code, String message) {
        ErrorCode known = ErrorCode.of(code);
        String name = known == null ? "error" : known.summary();
        return "Hub error " + code + " (" + name + ")" + (message == null || message.isEmpty() ? "" : ": " + message);
    }
}
