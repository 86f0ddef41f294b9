package dev.duplex.hub;

import dev.duplex.hub.auth.TokenException;
import dev.duplex.hub.auth.TokenVerifier;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.ProtocolException;

/**
 * The one access decision for a client's operation on a channel, applied alike to WebSocket
 * commands, resumed subscriptions and every other transport, so that no path is more open than
 * another. The HTTP API is the server's own and is not asked.
 */
public final class ChannelAccess {
    /** What a client wants to do with a channel. */
    public enum Operation {
        SUBSCRIBE("subscribe to"),
        PUBLISH("publish to"),
        HISTORY("read the history of"),
        PRESENCE("read the presence of");

        private final String phrase;

        Operation(String phrase) {
            this.phrase = phrase;
        }
    }

    private ChannelAccess() {
    }

    /**
     * Checks that a connection of {@code user} ("" when anonymous) may do {@code operation} on
     * {@code channel}. {@code token} is the subscription token the command carried (null if none),
     * {@code subscribed} whether this connection holds a subscription to the channel.
     *
     * @throws ProtocolException 103 (permission denied), 109 (token expired) or 108 (no token keys)
     */
    public static void check(Operation operation, NamespaceConfig ns, String channel, String user, String token,
                             boolean subscribed, TokenVerifier tokens, long nowMillis, Long id) throws ProtocolException {
        Access access = switch (operation) {
            case SUBSCRIBE -> ns.subscribe();
            case PUBLISH -> ns.publish();
            case HISTORY, PRESENCE -> ns.history();
        };
        switch (access) {
            case ANYONE -> {
            }
            case NOBODY -> throw denied("Nobody may " + operation.phrase + " " + channel, id);
            case USER -> {
                if (user.isEmpty()) {
                    throw denied("Only connections with a token may " + operation.phrase + " " + channel, id);
                }
            }
            case TOKEN -> {
                if (subscribed && operation != Operation.SUBSCRIBE) {
                    return; // the subscription itself was made with a subscription token
                }
                if (token == null || token.isEmpty()) {
                    throw denied(operation == Operation.PUBLISH
                            ? "Publishing to " + channel + " needs a subscription to it (made with a subscription token)"
                            : "To " + operation.phrase + " " + channel + ", send a subscription token for it"
                            + (operation == Operation.SUBSCRIBE ? "" : " or subscribe first"), id);
                }
                if (operation == Operation.PUBLISH) {
                    throw denied("Publishing to " + channel + " needs a subscription to it (made with a subscription token)", id);
                }
                if (tokens == null) {
                    throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "This hub has no token keys configured", id);
                }
                try {
                    tokens.verifySubscription(token, channel, user, nowMillis);
                } catch (TokenException e) {
                    throw new ProtocolException(e.expired() ? ErrorCode.TOKEN_EXPIRED : ErrorCode.PERMISSION_DENIED, e.getMessage(), id);
                }
            }
            default -> throw new IllegalStateException("Unknown access " + access);
        }
    }

    private static ProtocolException denied(String message, Long id) {
        return new ProtocolException(ErrorCode.PERMISSION_DENIED, message, id);
    }
}
