package dev.duplex.hub.protocol;

/** The field rules of every command that the type system cannot express (required fields, ranges). */
public final class Commands {
    /** Channel names are short, printable and without spaces; the namespace is what comes before ':'. */
    public static final int MAX_CHANNEL_LENGTH = 255;

    private Commands() {
    }

    public static void validate(Command command) throws ProtocolException {
        Long id = command.id();
        if (command instanceof Command.Connect c) {
            if (c.subs() != null) {
                for (var entry : c.subs().entrySet()) {
                    channel(entry.getKey(), id);
                    position(entry.getValue(), "subs." + entry.getKey(), id);
                }
            }
        } else if (command instanceof Command.Subscribe s) {
            channel(s.channel(), id);
            position(s.since(), "since", id);
        } else if (command instanceof Command.Unsubscribe u) {
            channel(u.channel(), id);
        } else if (command instanceof Command.Publish p) {
            channel(p.channel(), id);
            if (p.data() == null || p.data().isMissingNode()) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"data\"", id);
            }
        } else if (command instanceof Command.Presence p) {
            channel(p.channel(), id);
        } else if (command instanceof Command.History h) {
            channel(h.channel(), id);
            position(h.since(), "since", id);
            if (h.limit() != null && h.limit() < 0) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "Field \"limit\" must not be negative", id);
            }
        } else if (command instanceof Command.Trace t) {
            if (t.client() == null || t.client().isEmpty()) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"client\"", id);
            }
            if (t.enabled() && (t.key() == null || t.key().isEmpty())) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"key\" (the traced connection's trace key)", id);
            }
        } else if (command instanceof Command.Refresh r) {
            if (r.token() == null || r.token().isEmpty()) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"token\"", id);
            }
        }
    }

    private static void channel(String channel, Long id) throws ProtocolException {
        if (channel == null || channel.isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"channel\"", id);
        }
        if (channel.length() > MAX_CHANNEL_LENGTH) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Channel names are at most "
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
    }
}
