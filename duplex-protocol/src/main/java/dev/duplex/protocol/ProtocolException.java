package dev.duplex.protocol;

/**
 * The peer broke a rule of the protocol. Carries the close code the connection fails with; the
 * message is a sentence naming the rule, sent as the close reason (truncated to fit).
 */
public final class ProtocolException extends Exception {
    private final int closeCode;

    public ProtocolException(int closeCode, String message) {
        super(message, null, false, false);
        this.closeCode = closeCode;
    }

    /** The close code to send: 1002, 1007, 1009 and so on. */
    public int closeCode() {
        return closeCode;
    }
}
