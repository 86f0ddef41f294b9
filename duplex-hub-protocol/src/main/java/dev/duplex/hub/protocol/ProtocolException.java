package dev.duplex.hub.protocol;

/**
 * A command the hub cannot accept: carries the {@link ErrorCode} to answer with, a message a person
 * can act on, and the command id when it could be read. Messages often quote what the client sent
 * (a type, a field name): they are kept to one printable line of at most {@link #MAX_MESSAGE_LENGTH}
 * characters, so a client cannot make the hub echo line breaks or control characters into its
 * replies and logs.
 */
public final class ProtocolException extends Exception {
    /** The longest message; longer ones are cut with an ellipsis. */
    public static final int MAX_MESSAGE_LENGTH = 500;

    private final ErrorCode code;
    private final Long commandId;

    public ProtocolException(ErrorCode code, String message, Long commandId) {
        super(printable(message), null, false, false);
        this.code = code;
        this.commandId = commandId;
    }

    /** {@code text} on one line: control characters escaped (a backslash, u, four hex digits), cut at {@link #MAX_MESSAGE_LENGTH}. */
    static String printable(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_MESSAGE_LENGTH) + 8);
        int i = 0;
        for (; i < text.length() && out.length() < MAX_MESSAGE_LENGTH; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029 || c == 0x85) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (i < text.length()) {
            out.setLength(Math.min(out.length(), MAX_MESSAGE_LENGTH));
            out.append('…');
        }
        return out.toString();
    }

    public ErrorCode code() {
        return code;
    }

    /** The id of the command that failed, or null if it had none or could not be read. */
    public Long commandId() {
        return commandId;
    }

    /** The error reply for this failure. */
    public ServerMessage.Error toReply() {
        return new ServerMessage.Error(commandId, code.code(), getMessage());
    }
}
