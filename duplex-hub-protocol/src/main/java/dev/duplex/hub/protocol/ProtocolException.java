package dev.duplex.hub.protocol;

/**
 * A command the hub cannot accept: carries the {@link ErrorCode} to answer with, a message a person
 * can act on, and the command id when it could be read.
 */
public final class ProtocolException extends Exception {
    private final ErrorCode code;
    private final Long commandId;

    public ProtocolException(ErrorCode code, String message, Long commandId) {
        super(message, null, false, false);
        this.code = code;
        this.commandId = commandId;
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
