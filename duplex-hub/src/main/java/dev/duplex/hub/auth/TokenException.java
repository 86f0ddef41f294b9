package dev.duplex.hub.auth;

/** A token was refused; {@link #expired()} tells an expired token from an invalid one. */
public final class TokenException extends Exception {
    private final boolean expired;

    public TokenException(String message, boolean expired) {
        super(message, null, false, false);
        this.expired = expired;
    }

    public boolean expired() {
        return expired;
    }
}
