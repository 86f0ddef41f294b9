package dev.duplex.hub.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The field rules of every command that the type system cannot express: required fields, ranges, and
 * a bound on every field a client sends, so that nothing is stored, remembered or echoed at any size.
 * {@code data} is bounded by its namespace's {@code max_message_bytes}, checked by the hub.
 */
public final class Commands {
    /** Channel names are short, printable and without spaces; the namespace is what comes before ':'. */
    public static final int MAX_CHANNEL_LENGTH = 255;
    /** {@code msgId} and {@code key} (and the HTTP API's {@code Idempotency-Key}), in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 256;
    /** Connection, subscription and refresh tokens: a JWT with a modest {@code info} claim fits. */
    public static final int MAX_TOKEN_LENGTH = 8_192;
    /** The client's {@code name} and {@code version} in {@code connect}. */
    public static final int MAX_NAME_LENGTH = 64;
    /** An epoch in a stream position: the hub's are 13 characters or fewer. */
    public static final int MAX_EPOCH_LENGTH = 64;
    /** {@code client} and {@code key} of {@code trace}: the hub's ids and keys are 26 characters or fewer. */
    public static final int MAX_TRACE_FIELD_LENGTH = 64;
    /** Subscriptions resumed in one {@code connect}; the hub's own per-connection limit applies after. */
    public static final int MAX_SUBS = 1_024;
    /** {@code limit} of {@code history}; a reply is also bounded in bytes. */
    public static final int MAX_HISTORY_LIMIT = 100_000;

    private Commands() {
    }

    public static void validate(Command command) throws ProtocolException {
        Long id = command.id();
        if (command instanceof Command.Connect c) {
            text(c.token(), "token", MAX_TOKEN_LENGTH, id);
            text(c.name(), "name", MAX_NAME_LENGTH, id);
            text(c.version(), "version", MAX_NAME_LENGTH, id);
            if (c.subs() != null) {
                if (c.subs().size() > MAX_SUBS) {
                    throw tooLong("subs", "at most " + MAX_SUBS + " channels", id);
                }
                for (Map.Entry<String, StreamPosition> entry : c.subs().entrySet()) {
                    channel(entry.getKey(), id);
                    position(entry.getValue(), "subs." + entry.getKey(), id);
                }
            }
        } else if (command instanceof Command.Subscribe s) {
            channel(s.channel(), id);
            text(s.token(), "token", MAX_TOKEN_LENGTH, id);
            position(s.since(), "since", id);
        } else if (command instanceof Command.Unsubscribe u) {
            channel(u.channel(), id);
        } else if (command instanceof Command.Publish p) {
            channel(p.channel(), id);
            if (p.data() == null || p.data().isMissingNode()) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"data\"", id);
            }
            utf8(p.msgId(), "msgId", id);
            utf8(p.key(), "key", id);
        } else if (command instanceof Command.Presence p) {
            channel(p.channel(), id);
            text(p.token(), "token", MAX_TOKEN_LENGTH, id);
        } else if (command instanceof Command.History h) {
            channel(h.channel(), id);
            position(h.since(), "since", id);
            text(h.token(), "token", MAX_TOKEN_LENGTH, id);
            if (h.limit() != null && h.limit() < 0) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "Field \"limit\" must not be negative", id);
            }
            if (h.limit() != null && h.limit() > MAX_HISTORY_LIMIT) {
                throw tooLong("limit", "at most " + MAX_HISTORY_LIMIT, id);
            }
        } else if (command instanceof Command.Trace t) {
            if (t.client() == null || t.client().isEmpty()) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"client\"", id);
            }
            text(t.client(), "client", MAX_TRACE_FIELD_LENGTH, id);
            if (t.enabled() && (t.key() == null || t.key().isEmpty())) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"key\" (the traced connection's trace key)", id);
            }
            text(t.key(), "key", MAX_TRACE_FIELD_LENGTH, id);
        } else if (command instanceof Command.Refresh r) {
            if (r.token() == null || r.token().isEmpty()) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"token\"", id);
            }
            text(r.token(), "token", MAX_TOKEN_LENGTH, id);
        }
    }

    /**
     * A client-chosen id ({@code msgId}, {@code key}, an {@code Idempotency-Key}): at most
     * {@link #MAX_ID_BYTES} bytes of UTF-8. Null passes.
     */
    public static void utf8(String value, String field, Long id) throws ProtocolException {
        // Characters first: a string longer than the limit in characters is longer in bytes too.
        if (value != null && (value.length() > MAX_ID_BYTES || value.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES)) {
            throw tooLong(field, "at most " + MAX_ID_BYTES + " bytes of UTF-8", id);
        }
    }

    private static void text(String value, String field, int maxLength, Long id) throws ProtocolException {
        if (value != null && value.length() > maxLength) {
            throw tooLong(field, "at most " + maxLength + " characters", id);
        }
    }

    private static ProtocolException tooLong(String field, String limit, Long id) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, "Field \"" + field + "\" must be " + limit, id);
    }

    private static void channel(String channel, Long id) throws ProtocolException {
        if (channel == null || channel.isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"channel\"", id);
        }
        if (channel.length() > MAX_CHANNEL_LENGTH) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Field \"channel\" must be at most "
                    + MAX_CHANNEL_LENGTH + " characters", id);
        }
        for (int i = 0; i < channel.length(); i++) {
            char c = channel.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST,
                        "Channel names must not contain spaces or control characters", id);
            }
        }
    }

    private static void position(StreamPosition position, String field, Long id) throws ProtocolException {
        if (position == null) {
            return;
        }
        if (position.offset() < 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Field \"" + field + ".offset\" must not be negative", id);
        }
        if (position.epoch() == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"" + field + ".epoch\"", id);
        }
        text(position.epoch(), field + ".epoch", MAX_EPOCH_LENGTH, id);
    }
}
