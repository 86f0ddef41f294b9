package dev.duplex.client;

import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The requests that read the hub ({@code presence}, {@code history}): they need an open connection,
 * fail when it is lost before the reply, and time out after the command timeout. A {@code history}
 * reply is bounded in bytes and says {@code more} when it was cut; {@link #history} then asks again
 * from the last offset received until it has what the caller asked for, so the caller gets one
 * result. Not thread safe: the client's loop owns it.
 */
final class Queries {
    private final CallbackExecutor callbacks;
    private final long timeoutMillis;

    Queries(CallbackExecutor callbacks, long timeoutMillis) {
        this.callbacks = callbacks;
        this.timeoutMillis = timeoutMillis;
    }

    /** @param c the open connection, or null when there is none (the future fails at once) */
    void presence(Connection c, ConnectionState state, String channel, CompletableFuture<List<ClientInfo>> future) {
        request(c, state, "presence", channel, future, id -> new Command.Presence(id, channel),
                ServerMessage.PresenceResult.class,
                r -> callbacks.complete(future, r.clients() == null ? List.of() : List.copyOf(r.clients())));
    }

    /**
     * Reads history page by page until the hub has nothing more after the last publication received,
     * or {@code limit} publications are in.
     *
     * @param c the open connection, or null when there is none (the future fails at once)
     */
    void history(Connection c, ConnectionState state, String channel, StreamPosition since, Integer limit,
            CompletableFuture<HistoryResult> future) {
        new HistoryRead(c, state, channel, limit, future).ask(since);
    }

    /** One {@link #history} call: the pages received so far. */
    private final class HistoryRead {
        private final Connection c;
        private final ConnectionState state;
        private final String channel;
        private final Integer limit;
        private final CompletableFuture<HistoryResult> future;
        private final List<Publication> received = new ArrayList<>();

        HistoryRead(Connection c, ConnectionState state, String channel, Integer limit,
                CompletableFuture<HistoryResult> future) {
            this.c = c;
            this.state = state;
            this.channel = channel;
            this.limit = limit;
            this.future = future;
        }

        void ask(StreamPosition since) {
            Integer left = limit == null ? null : limit - received.size();
            request(c, state, "history", channel, future, id -> new Command.History(id, channel, since, left),
                    ServerMessage.HistoryResult.class, this::onPage);
        }

        private void onPage(ServerMessage.HistoryResult page) {
            List<Publication> publications = page.publications() == null ? List.of() : page.publications();
            received.addAll(publications);
            boolean wanted = limit == null || received.size() < limit;
            if (!Boolean.TRUE.equals(page.more()) || !wanted) {
                callbacks.complete(future, new HistoryResult(channel, new StreamPosition(page.offset(), page.epoch()),
                        received));
            } else if (publications.isEmpty()) {
                // It could never move on: better a loud failure than a loop or a silent cut.
                callbacks.fail(future, new DuplexClientException("The hub said there is more history of \"" + channel
                        + "\" but sent no publication to continue from"));
            } else {
                // A since that left the history window meanwhile fails the call with error 115, as on the first page.
                ask(new StreamPosition(publications.get(publications.size() - 1).offset(), page.epoch()));
            }
        }
    }

    /** Sends one request on {@code c}; {@code onReply} gets its reply, anything else fails {@code future}. */
    private <R extends ServerMessage> void request(Connection c, ConnectionState state, String kind, String channel,
            CompletableFuture<?> future, LongFunction<Command> command, Class<R> replyType, Consumer<R> onReply) {
        if (c == null || !c.isOpen()) {
            callbacks.fail(future, new NotConnectedException("Not connected to the hub (state " + state + "): "
                    + kind + " of \"" + channel + "\" needs an open connection"));
            return;
        }
        c.request(command, new Requests.Reply() {
            @Override
            public void onReply(ServerMessage reply) {
                if (replyType.isInstance(reply)) {
                    onReply.accept(replyType.cast(reply));
                } else if (reply instanceof ServerMessage.Error error) {
                    callbacks.fail(future, new HubErrorException(error.code(), error.message()));
                } else {
                    callbacks.fail(future, new DuplexClientException("The hub answered " + kind + " of \"" + channel
                            + "\" with " + reply.getClass().getSimpleName()));
                }
            }

            @Override
            public void onTimeout() {
                callbacks.fail(future, new TimeoutException("No reply to " + kind + " of \"" + channel + "\" within "
                        + timeoutMillis + " ms"));
            }

            @Override
            public void onLost(DuplexClientException why) {
                callbacks.fail(future, why);
            }
        }, timeoutMillis);
    }
}
