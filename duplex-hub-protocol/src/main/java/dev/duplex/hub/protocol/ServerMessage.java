package dev.duplex.hub.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;

/**
 * A message from the hub to a client: a reply to a command (carrying the command's {@code id}), or a
 * push (publication, join, leave, disconnect). See PROTOCOL.md.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ServerMessage.Connected.class, name = "connected"),
        @JsonSubTypes.Type(value = ServerMessage.Subscribed.class, name = "subscribed"),
        @JsonSubTypes.Type(value = ServerMessage.Unsubscribed.class, name = "unsubscribed"),
        @JsonSubTypes.Type(value = Publication.class, name = "publication"),
        @JsonSubTypes.Type(value = ServerMessage.Join.class, name = "join"),
        @JsonSubTypes.Type(value = ServerMessage.Leave.class, name = "leave"),
        @JsonSubTypes.Type(value = ServerMessage.Ack.class, name = "ack"),
        @JsonSubTypes.Type(value = ServerMessage.PresenceResult.class, name = "presence"),
        @JsonSubTypes.Type(value = ServerMessage.HistoryResult.class, name = "history"),
        @JsonSubTypes.Type(value = ServerMessage.Pong.class, name = "pong"),
        @JsonSubTypes.Type(value = ServerMessage.Refreshed.class, name = "refreshed"),
        @JsonSubTypes.Type(value = ServerMessage.Error.class, name = "error"),
        @JsonSubTypes.Type(value = ServerMessage.Disconnect.class, name = "disconnect"),
        @JsonSubTypes.Type(value = ServerMessage.Tracing.class, name = "tracing"),
        @JsonSubTypes.Type(value = ServerMessage.Frame.class, name = "frame"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerMessage permits Publication, ServerMessage.Connected, ServerMessage.Subscribed,
        ServerMessage.Unsubscribed, ServerMessage.Join, ServerMessage.Leave, ServerMessage.Ack,
        ServerMessage.PresenceResult, ServerMessage.HistoryResult, ServerMessage.Pong, ServerMessage.Refreshed,
        ServerMessage.Error, ServerMessage.Disconnect, ServerMessage.Tracing, ServerMessage.Frame {

    /**
     * The reply to {@code connect}. {@code heartbeat} is in milliseconds: the client sends a
     * {@code ping} at least that often and treats a missing {@code pong} as a dead connection.
     * {@code expires} is when the token expires (epoch milliseconds), null if never.
     * {@code subs} answers the resumed subscriptions of the connect command, by channel.
     * {@code traceKey} lets another connection watch this one's frames (see {@code trace}); null when
     * the hub does not offer frame traces.
     */
    record Connected(Long id, String client, long heartbeat, Long expires,
                     Map<String, Subscribed> subs, String traceKey) implements ServerMessage {
    }

    /**
     * The reply to {@code subscribe}: the position it brings the client to and, when the client asked
     * to recover from a position, whether that succeeded and the publications it missed (oldest
     * first). {@code recovered} is null when no recovery was asked for; false means continuity was
     * lost and the application should reload its state. When the missed publications do not fit in
     * one reply, {@code offset} is that of the last one included and the rest follow as
     * {@code publication} messages, before any live one.
     */
    record Subscribed(Long id, String channel, String epoch, long offset, Boolean recovered,
                      List<Publication> publications) implements ServerMessage {
    }

    /** The reply to {@code unsubscribe}, or a push when the server ends a subscription. */
    record Unsubscribed(Long id, String channel, String reason) implements ServerMessage {
    }

    record Join(String channel, ClientInfo info) implements ServerMessage {
    }

    record Leave(String channel, ClientInfo info) implements ServerMessage {
    }

    /**
     * The broker accepted a publication. {@code duplicate} is true when the message id was seen within
     * the de-duplication window: the offset is that of the first publication, nothing new was published.
     */
    record Ack(Long id, String channel, String epoch, long offset, boolean duplicate) implements ServerMessage {
    }

    /**
     * The reply to {@code presence}: who is subscribed. At most one reply's worth of bytes; when
     * the list was cut, {@code total} says how many there are (absent otherwise).
     */
    record PresenceResult(Long id, String channel, List<ClientInfo> clients, Integer total) implements ServerMessage {
        public PresenceResult(Long id, String channel, List<ClientInfo> clients) {
            this(id, channel, clients, null);
        }
    }

    /**
     * The reply to {@code history}: the stream's position and publications, oldest first, at most one
     * reply's worth of bytes. {@code more} (absent when false) says publications after the last one
     * returned exist: ask again with {@code since} at its offset.
     */
    record HistoryResult(Long id, String channel, String epoch, long offset,
                         List<Publication> publications, Boolean more) implements ServerMessage {
        public HistoryResult(Long id, String channel, String epoch, long offset, List<Publication> publications) {
            this(id, channel, epoch, offset, publications, null);
        }
    }

    record Pong(Long id) implements ServerMessage {
    }

    record Refreshed(Long id, Long expires) implements ServerMessage {
    }

    /** A command failed; the connection stays open. {@code code} is one of {@link ErrorCode}. */
    record Error(Long id, int code, String message) implements ServerMessage {
    }

    /**
     * The server is about to close the connection. {@code code} is one of {@link DisconnectCode} (the
     * same code is used in the close frame, except during a drain, which closes with 1001);
     * {@code retryAfter} is a hint in milliseconds before reconnecting.
     */
    record Disconnect(int code, String reason, boolean reconnect, Long retryAfter) implements ServerMessage {
    }

    /** The reply to {@code trace}: whether frames of {@code client} are now streamed here. */
    record Tracing(Long id, String client, boolean enabled) implements ServerMessage {
    }

    /**
     * One WebSocket frame of a traced connection, as the hub read ({@code dir} "in") or wrote ("out")
     * it: the header bits, the payload length and, for Close frames, the code and reason.
     * {@code time} is the hub's clock in epoch milliseconds. Frame messages are rate-limited:
     * {@code skipped} counts the frames not reported since the previous frame message (absent when
     * none were).
     */
    record Frame(String client, String dir, boolean fin, boolean rsv1, boolean rsv2, boolean rsv3,
                 String opcode, boolean masked, long length, Integer code, String reason, long time, Long skipped)
            implements ServerMessage {
        public Frame(String client, String dir, boolean fin, boolean rsv1, boolean rsv2, boolean rsv3,
                     String opcode, boolean masked, long length, Integer code, String reason, long time) {
            this(client, dir, fin, rsv1, rsv2, rsv3, opcode, masked, length, code, reason, time, null);
        }
    }
}
