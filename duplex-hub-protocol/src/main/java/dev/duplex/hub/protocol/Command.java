package dev.duplex.hub.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A message from a client to the hub. Every command may carry an {@code id}; the reply to it (or the
 * error) carries the same id. See PROTOCOL.md for the meaning of every field.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Command.Connect.class, name = "connect"),
        @JsonSubTypes.Type(value = Command.Subscribe.class, name = "subscribe"),
        @JsonSubTypes.Type(value = Command.Unsubscribe.class, name = "unsubscribe"),
        @JsonSubTypes.Type(value = Command.Publish.class, name = "publish"),
        @JsonSubTypes.Type(value = Command.Presence.class, name = "presence"),
        @JsonSubTypes.Type(value = Command.History.class, name = "history"),
        @JsonSubTypes.Type(value = Command.Ping.class, name = "ping"),
        @JsonSubTypes.Type(value = Command.Refresh.class, name = "refresh"),
        @JsonSubTypes.Type(value = Command.Trace.class, name = "trace"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface Command {

    /** The command id echoed in the reply, or null when the client wants no reply. */
    Long id();

    /**
     * The first command on a connection. {@code subs} resumes subscriptions after a reconnect: for
     * each channel the last position the client saw (or null to subscribe without recovery).
     */
    record Connect(Long id, String token, String name, String version,
                   Map<String, StreamPosition> subs) implements Command {
    }

    /** Subscribe to a channel; with {@code since}, also recover what was published after it. */
    record Subscribe(Long id, String channel, String token, StreamPosition since) implements Command {
    }

    record Unsubscribe(Long id, String channel) implements Command {
    }

    /**
     * Publish {@code data} to a channel. {@code msgId} is the client's message id: a retry with the
     * same id within the de-duplication window is acknowledged again but published once. {@code key}
     * names the value for the keep-latest-per-key slow-consumer policy.
     */
    record Publish(Long id, String channel, JsonNode data, String msgId, String key) implements Command {
    }

    /**
     * Who is subscribed to a channel. {@code token} is a subscription token for the channel, needed
     * where presence is readable only with one ({@code history: token}) by a connection that is not
     * subscribed.
     */
    record Presence(Long id, String channel, String token) implements Command {
        public Presence(Long id, String channel) {
            this(id, channel, null);
        }
    }

    /**
     * Read a channel's history: what came after {@code since} (or the whole window), oldest first, at
     * most {@code limit} publications and at most one reply's worth of bytes: {@code more} in the
     * reply says to ask again from the last offset received. {@code token} as for {@link Presence}.
     */
    record History(Long id, String channel, StreamPosition since, Integer limit, String token) implements Command {
        public History(Long id, String channel, StreamPosition since, Integer limit) {
            this(id, channel, since, limit, null);
        }
    }

    record Ping(Long id) implements Command {
    }

    /** Replace the connection token before it expires. */
    record Refresh(Long id, String token) implements Command {
    }

    /**
     * Start ({@code enabled} true) or stop streaming the WebSocket frames of connection {@code client}
     * to this connection as {@code frame} messages. {@code key} is the trace key that connection
     * received in its {@code connected} reply: only whoever holds it may watch.
     */
    record Trace(Long id, String client, String key, boolean enabled) implements Command {
    }
}
