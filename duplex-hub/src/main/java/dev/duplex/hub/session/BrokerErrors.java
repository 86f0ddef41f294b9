package dev.duplex.hub.session;

import dev.duplex.hub.broker.BrokerCapacityException;
import dev.duplex.hub.broker.BrokerUnavailableException;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.ServerMessage;

/**
 * What a client is told when the broker failed a command: a spent node-wide budget is 106, a broker
 * that cannot be reached (Redis down or slow) is 116 and worth retrying, anything else is a defect
 * (100, logged with its stack trace). An unreachable broker is an outage, not a defect: it is counted,
 * not logged once per command.
 */
final class BrokerErrors {
    private static final System.Logger LOG = System.getLogger("dev.duplex.hub");

    private BrokerErrors() {
    }

    /** The error reply to command {@code id}, whose broker call ({@code what}) failed with {@code failure}. */
    static ServerMessage.Error reply(SessionContext ctx, Long id, String what, Throwable failure) {
        BrokerCapacityException full = find(failure, BrokerCapacityException.class);
        if (full != null) {
            ctx.metrics().capacityRefused(full.limit());
            return new ServerMessage.Error(id, ErrorCode.LIMIT_EXCEEDED.code(), full.getMessage());
        }
        if (find(failure, BrokerUnavailableException.class) != null) {
            ctx.metrics().brokerUnavailable();
            return new ServerMessage.Error(id, ErrorCode.BROKER_UNAVAILABLE.code(), "The hub's broker cannot be reached right "
                    + "now, so nothing was done; retry in a few seconds (a publish retried with the same msgId is stored once)");
        }
        LOG.log(System.Logger.Level.WARNING, what + " failed", failure);
        return new ServerMessage.Error(id, ErrorCode.INTERNAL.code(), "The broker failed; try again");
    }

    /** The first {@code type} in {@code failure}'s chain of causes, or null. */
    static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
