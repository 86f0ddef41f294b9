package dev.duplex.server.cli.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code duplex connect --hub}: the hub protocol ({@value HubCodec#JSON_SUBPROTOCOL}) with short
 * commands. It sends {@code connect} (with the token, if any) as soon as the connection opens, then
 * turns lines into commands:
 * <pre>
 * sub CHANNEL                 subscribe; again after unsub: recover from the last publication seen
 * unsub CHANNEL               unsubscribe
 * pub CHANNEL DATA…           publish DATA (JSON if it parses, otherwise a string)
 * presence CHANNEL            who is subscribed
 * history CHANNEL [LIMIT]     the channel's history
 * ping                        a hub ping
 * refresh TOKEN               a new connection token
 * {"type":…}                  sent as it is
 * </pre>
 * Server messages are printed by {@link HubMessageFormat}. Per channel it remembers the position
 * (offset and epoch) of the last publication it printed, so a second {@code sub} recovers what was
 * missed in between ({@code since}). Once connected it sends a {@code ping} without id every
 * heartbeat interval, as the protocol asks of clients, and prints nothing for their pongs.
 */
public final class HubLineTranslator implements LineTranslator {
    /** The commands, for help texts. */
    public static final String COMMANDS_FOR_HELP = "sub CHANNEL, unsub CHANNEL, pub CHANNEL DATA, presence CHANNEL, "
            + "history CHANNEL [LIMIT], ping, refresh TOKEN, or a JSON command {...}";
    static final String COMMANDS = COMMANDS_FOR_HELP;

    private static final ObjectMapper JSON = HubCodec.JSON.mapper();

    private final String token;
    private final String name;
    private final String version;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, StreamPosition> positions = new ConcurrentHashMap<>();
    private final Set<Long> pending = new HashSet<>();
    private CompletableFuture<Void> settled = CompletableFuture.completedFuture(null);
    private volatile boolean disconnected;
    private volatile Consumer<OutgoingMessage> sender;
    private ScheduledExecutorService heartbeat;

    /**
     * @param token the connection token, or null to connect anonymously
     * @param name and {@code version}: what the hub is told this client is
     */
    public HubLineTranslator(String token, String name, String version) {
        this.token = token;
        this.name = name;
        this.version = version;
    }

    @Override
    public void attach(Consumer<OutgoingMessage> sender) {
        this.sender = sender;
    }

    @Override
    public synchronized void detach() {
        sender = null;
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
    }

    @Override
    public List<OutgoingMessage> onOpen() {
        return List.of(encode(new Command.Connect(sent(), token, name, version, null)));
    }

    @Override
    public String help() {
        return COMMANDS;
    }

    @Override
    public OutgoingMessage translate(String line) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            return null;
        }
        if (trimmed.startsWith("{")) {
            return raw(trimmed);
        }
        String[] words = trimmed.split("\\s+", 3);
        String command = words[0];
        switch (command) {
            case "sub", "subscribe" -> {
                String channel = channel(words, "sub CHANNEL", 2);
                return encode(new Command.Subscribe(sent(), channel, null, positions.get(channel)));
            }
            case "unsub", "unsubscribe" -> {
                return encode(new Command.Unsubscribe(sent(), channel(words, "unsub CHANNEL", 2)));
            }
            case "pub", "publish" -> {
                if (words.length < 3) {
                    throw new IllegalArgumentException("usage: pub CHANNEL DATA (DATA is JSON if it parses, otherwise a string)");
                }
                return encode(new Command.Publish(sent(), words[1], data(words[2]), null, null));
            }
            case "presence" -> {
                return encode(new Command.Presence(sent(), channel(words, "presence CHANNEL", 2)));
            }
            case "history" -> {
                String channel = channel(words, "history CHANNEL [LIMIT]", 3);
                Integer limit = null;
                if (words.length > 2) {
                    try {
                        limit = Integer.parseInt(words[2]);
                    } catch (NumberFormatException e) {
                        limit = -1;
                    }
                    if (limit < 0) {
                        throw new IllegalArgumentException("usage: history CHANNEL [LIMIT]; LIMIT is a number, not '" + words[2] + "'");
                    }
                }
                return encode(new Command.History(sent(), channel, null, limit));
            }
            case "ping" -> {
                if (words.length > 1) {
                    throw new IllegalArgumentException("usage: ping");
                }
                return encode(new Command.Ping(sent()));
            }
            case "refresh" -> {
                if (words.length != 2) {
                    throw new IllegalArgumentException("usage: refresh TOKEN");
                }
                return encode(new Command.Refresh(sent(), words[1]));
            }
            default -> throw new IllegalArgumentException("Unknown command '" + command + "'. Type " + COMMANDS);
        }
    }

    @Override
    public String describe(String text) {
        ServerMessage message;
        try {
            message = HubCodec.JSON.decodeServerMessage(text.getBytes(StandardCharsets.UTF_8));
        } catch (ProtocolException e) {
            return text; // not a message we know: print it as it came
        }
        received(message);
        if (message instanceof ServerMessage.Pong pong && pong.id() == null) {
            return null; // the answer to a heartbeat ping
        }
        return HubMessageFormat.format(message);
    }

    @Override
    public synchronized CompletableFuture<Void> settled() {
        return settled;
    }

    /** After a {@code disconnect} message the hub closes the connection itself. */
    @Override
    public boolean serverClosing() {
        return disconnected;
    }

    /** The position recovery would start from for {@code channel}, or null. */
    public StreamPosition position(String channel) {
        return positions.get(channel);
    }

    // ------------------------------------------------------------------ internals

    /** Remembers positions and which replies arrived. */
    private void received(ServerMessage message) {
        if (message instanceof Publication p) {
            advance(p.channel(), p.offset(), null);
        } else if (message instanceof ServerMessage.Subscribed s) {
            subscribed(s);
        } else if (message instanceof ServerMessage.Connected c) {
            if (c.subs() != null) {
                c.subs().values().forEach(this::subscribed);
            }
            startHeartbeat(c.heartbeat());
        } else if (message instanceof ServerMessage.Disconnect) {
            disconnected = true;
            replied(null, true);
            return;
        }
        Long id = replyId(message);
        if (id != null) {
            replied(id, false);
        }
    }

    /** Pings every {@code millis}, so that the hub does not disconnect an idle terminal (3003). */
    private synchronized void startHeartbeat(long millis) {
        if (heartbeat != null || sender == null || millis <= 0) {
            return;
        }
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duplex-connect-heartbeat");
            t.setDaemon(true);
            return t;
        });
        OutgoingMessage ping = encode(new Command.Ping(null));
        heartbeat.scheduleAtFixedRate(() -> {
            Consumer<OutgoingMessage> s = sender;
            if (s != null) {
                s.accept(ping);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void subscribed(ServerMessage.Subscribed s) {
        StreamPosition known = positions.get(s.channel());
        if (known == null || !known.epoch().equals(s.epoch()) || Boolean.FALSE.equals(s.recovered())) {
            // A new stream, or continuity lost: from here on, the stream's current position.
            positions.put(s.channel(), new StreamPosition(s.offset(), s.epoch()));
        }
        if (s.publications() != null) {
            for (Publication p : s.publications()) {
                advance(s.channel(), p.offset(), s.epoch());
            }
        }
    }

    private void advance(String channel, long offset, String epoch) {
        positions.compute(channel, (c, known) -> {
            String e = epoch != null ? epoch : known == null ? null : known.epoch();
            if (e == null) {
                return known; // a publication before the subscribe reply: its epoch is not known yet
            }
            return known == null || !e.equals(known.epoch()) || offset > known.offset() ? new StreamPosition(offset, e) : known;
        });
    }

    private synchronized long sent() {
        long id = ids.incrementAndGet();
        if (pending.isEmpty()) {
            settled = new CompletableFuture<>();
        }
        pending.add(id);
        return id;
    }

    /** A reply to {@code id} arrived ({@code all}: nothing more will). */
    private synchronized void replied(Long id, boolean all) {
        if (all) {
            pending.clear();
        } else {
            pending.remove(id);
        }
        if (pending.isEmpty()) {
            settled.complete(null);
        }
    }

    private OutgoingMessage raw(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            JsonNode id = node == null ? null : node.get("id");
            if (id != null && id.canConvertToExactIntegral() && id.canConvertToLong()) {
                synchronized (this) {
                    if (pending.isEmpty()) {
                        settled = new CompletableFuture<>();
                    }
                    pending.add(id.asLong());
                }
            }
        } catch (JsonProcessingException e) {
            // sent anyway: the hub's error reply is what the user wants to see
        }
        return new OutgoingMessage.Text(json);
    }

    private static String channel(String[] words, String usage, int maxWords) {
        if (words.length < 2 || words.length > maxWords) {
            throw new IllegalArgumentException("usage: " + usage);
        }
        return words[1];
    }

    /** JSON if the text parses as one JSON value, otherwise the text as a string. */
    static JsonNode data(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node != null && !node.isMissingNode()) {
                return node;
            }
        } catch (JsonProcessingException e) {
            // a string
        }
        return TextNode.valueOf(text);
    }

    private static OutgoingMessage encode(Command command) {
        return new OutgoingMessage.Text(new String(HubCodec.JSON.encode(command), StandardCharsets.UTF_8));
    }

    private static Long replyId(ServerMessage m) {
        if (m instanceof ServerMessage.Connected c) {
            return c.id();
        } else if (m instanceof ServerMessage.Subscribed s) {
            return s.id();
        } else if (m instanceof ServerMessage.Unsubscribed u) {
            return u.id();
        } else if (m instanceof ServerMessage.Ack a) {
            return a.id();
        } else if (m instanceof ServerMessage.PresenceResult p) {
            return p.id();
        } else if (m instanceof ServerMessage.HistoryResult h) {
            return h.id();
        } else if (m instanceof ServerMessage.Pong p) {
            return p.id();
        } else if (m instanceof ServerMessage.Refreshed r) {
            return r.id();
        } else if (m instanceof ServerMessage.Error e) {
            return e.id();
        } else if (m instanceof ServerMessage.Tracing t) {
            return t.id();
        }
        return null;
    }
}
