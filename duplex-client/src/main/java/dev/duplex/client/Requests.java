package dev.duplex.client;

import dev.duplex.hub.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The commands of one connection that wait for a reply, by command id. Whoever sends a command
 * says with a {@link Reply} what the answer means to it; the table matches replies to commands,
 * runs the timeouts, and tells every waiter when the connection is gone. Not thread safe: the
 * client's loop owns it (timers come from the {@link Loop}, so tests drive it by hand).
 */
final class Requests {

    /** What a command waits for. */
    @FunctionalInterface
    interface Reply {
        /** The reply, or the {@link ServerMessage.Error} the hub sent instead. */
        void onReply(ServerMessage reply);

        /** No reply within the timeout given to {@link Requests#add}. */
        default void onTimeout() {
        }

        /** The connection ended first: no reply will come. */
        default void onLost(DuplexClientException why) {
        }
    }

    /** For commands whose reply changes nothing (an {@code unsubscribe}). */
    static final Reply IGNORE = reply -> { };

    private final Loop loop;
    private final Map<Long, Waiting> waiting = new HashMap<>();
    private long lastId;

    Requests(Loop loop) {
        this.loop = loop;
    }

    /**
     * Registers a command about to be sent.
     *
     * @param timeoutMillis how long to wait for the reply before {@link Reply#onTimeout()}; 0 for ever
     * @return the command's id
     */
    long add(Reply reply, long timeoutMillis) {
        long id = ++lastId;
        Waiting w = new Waiting(reply);
        waiting.put(id, w);
        if (timeoutMillis > 0) {
            w.timeout = loop.schedule(timeoutMillis, () -> {
                if (waiting.remove(id, w)) {
                    reply.onTimeout();
                }
            });
        }
        return id;
    }

    /** Hands {@code reply} to the command {@code id} waits for; false when none does (any more). */
    boolean answer(long id, ServerMessage reply) {
        Waiting w = waiting.remove(id);
        if (w == null) {
            return false;
        }
        Loop.cancel(w.timeout);
        w.reply.onReply(reply);
        return true;
    }

    /** The connection is gone: every waiter hears {@code why}, and the table is empty. */
    void loseAll(DuplexClientException why) {
        List<Waiting> all = new ArrayList<>(waiting.values());
        waiting.clear();
        for (Waiting w : all) {
            Loop.cancel(w.timeout);
            w.reply.onLost(why);
        }
    }

    /** The command id a reply carries, or null for a push (publication, join, leave, disconnect). */
    static Long replyId(ServerMessage m) {
        if (m instanceof ServerMessage.Connected r) {
            return r.id();
        } else if (m instanceof ServerMessage.Subscribed r) {
            return r.id();
        } else if (m instanceof ServerMessage.Unsubscribed r) {
            return r.id();
        } else if (m instanceof ServerMessage.Ack r) {
            return r.id();
        } else if (m instanceof ServerMessage.PresenceResult r) {
            return r.id();
        } else if (m instanceof ServerMessage.HistoryResult r) {
            return r.id();
        } else if (m instanceof ServerMessage.Pong r) {
            return r.id();
        } else if (m instanceof ServerMessage.Refreshed r) {
            return r.id();
        } else if (m instanceof ServerMessage.Error r) {
            return r.id();
        }
        return null;
    }

    /** Commands waiting for their reply. */
    int size() {
        return waiting.size();
    }

    private static final class Waiting {
        final Reply reply;
        Loop.Timer timeout;

        Waiting(Reply reply) {
            this.reply = reply;
        }
    }
}
