package dev.duplex.server.config;

import static dev.duplex.server.config.Setting.bool;
import static dev.duplex.server.config.Setting.choice;
import static dev.duplex.server.config.Setting.duration;
import static dev.duplex.server.config.Setting.integer;
import static dev.duplex.server.config.Setting.list;
import static dev.duplex.server.config.Setting.path;
import static dev.duplex.server.config.Setting.rate;
import static dev.duplex.server.config.Setting.size;
import static dev.duplex.server.config.Setting.string;

import dev.duplex.websocket.WebSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every key of {@code duplex serve}'s configuration, in file order. The server keys sit at the top
 * level and have the names of the {@code serve} flags ({@code --max-message-size} is
 * {@code max_message_size}); the hub's are under {@code hub:}, the token keys under {@code tokens:};
 * {@code default_namespace:} and each entry of {@code namespaces:} hold {@link #NAMESPACE} keys. The
 * defaults are those of the server flags and of {@code HubConfig}/{@code NamespaceConfig}.
 */
public final class Settings {
    private static final long MiB = 1L << 20;

    /** The sections of nested keys. */
    public static final String HUB = "hub";
    public static final String TOKENS = "tokens";
    public static final String DEFAULT_NAMESPACE = "default_namespace";
    public static final String NAMESPACES = "namespaces";

    /** Every key outside the namespaces, with its section prefix ({@code hub.heartbeat}). */
    /** The library's defaults, which the WebSocket keys share. */
    private static final WebSocketOptions WS = WebSocketOptions.defaults();

    public static final List<Setting> GLOBAL = List.of(
            // The server: the flags of duplex serve.
            integer("port", 8080, 0, 65_535, "TCP port; 0 picks a free one").flag("--port"),
            string("host", "127.0.0.1", "address to listen on; 127.0.0.1 keeps other machines out, 0.0.0.0 opens every interface")
                    .flag("--host"),
            list("allowed_origins", "browser pages allowed to connect besides the server's own (exact origins, or "
                    + "https://*.example.com); '*' allows any").flag("--allowed-origin"),
            list("broker", "Redis URIs shared by the nodes of a cluster (redis://, rediss://, several to shard, "
                    + "redis-cluster://); none: this node's in-memory broker").flag("--broker"),
            integer("event_loops", 0, 0, 4_096, "event loop threads; 0 = one per core").flag("--event-loops"),
            // The WebSocket limits are the library's own defaults, read from WebSocketOptions: one
            // place, one set of numbers. Autobahn's section 9 needs 16 MiB messages: see docs/command-line.md.
            size("max_message_size", WS.maxMessageBytes(), 1, Long.MAX_VALUE, "largest inbound WebSocket message (close 1009 above)")
                    .flag("--max-message-size"),
            size("max_frame_size", WS.maxFrameBytes(), 1, Long.MAX_VALUE, "largest inbound WebSocket frame (close 1009 above)")
                    .flag("--max-frame-size"),
            integer("max_fragments", WS.maxFragments(), 1, Integer.MAX_VALUE, "most frames per message (close 1009 above)")
                    .flag("--max-fragments"),
            size("max_queued_bytes", WS.maxQueuedBytes(), 1, Long.MAX_VALUE,
                    "WebSocket send queue per connection before closing it with 1008 (see also hub.max_queued_bytes)")
                    .flag("--max-queued-bytes"),
            integer("max_connections", WS.maxConnections(), 1, 10_000_000, "simultaneous connections (503 above)").flag("--max-connections"),
            integer("max_connections_per_address", WS.maxConnectionsPerAddress(), 1, Integer.MAX_VALUE, "connections from one IP address (429 above)")
                    .flag("--max-connections-per-address"),
            integer("max_pending_handshakes", WS.maxPendingHandshakes(), 1, Integer.MAX_VALUE,
                    "connections still in the opening handshake or an HTTP request (503 above)").flag("--max-pending-handshakes"),
            integer("max_pings_per_second", WS.maxPingsPerSecond(), 1, Integer.MAX_VALUE, "WebSocket pings a client may send per second (1008 above)")
                    .flag("--max-pings-per-second"),
            size("max_header_bytes", WS.maxHeadBytes(), 64, Integer.MAX_VALUE, "largest handshake or HTTP request head (431 above)")
                    .flag("--max-header-bytes"),
            integer("max_headers", WS.maxHeaderCount(), 1, Integer.MAX_VALUE, "most handshake header lines (431 above)").flag("--max-headers"),
            size("message_memory", WS.messageMemoryBytes(), 1, Long.MAX_VALUE,
                    "bytes incomplete messages of all connections may hold together (1013 above)").flag("--message-memory"),
            duration("handshake_timeout", WS.handshakeTimeout(), 1, "time for the whole opening handshake or HTTP request (408 after)")
                    .flag("--handshake-timeout"),
            duration("close_timeout", WS.closeTimeout(), 1, "wait for the client's Close before dropping the connection")
                    .flag("--close-timeout"),
            duration("ping_interval", WS.pingInterval(), 0, "WebSocket ping after this long without input; 0 = never").flag("--ping-interval"),
            duration("idle_timeout", WS.idleTimeout(), 0, "close with 1001 after this long without input; 0 = never")
                    .flag("--idle-timeout"),
            bool("dashboard", true, "serve the dashboard at / and the browser client at /duplex.js; publish the hub's stats to hub:stats")
                    .flag("--dashboard"),
            bool("demo", true, "run simulated devices (sensors:room-1..3, devices:thermostat-1, commands:thermostat-1)")
                    .flag("--demo"),
            bool("broadcast", false, "serve /broadcast, which relays every message of every client to all the others (for "
                    + "benchmarks)").flag("--broadcast"),
            bool("compression", WS.compression(), "accept permessage-deflate offers").flag("--compression"),
            bool("compression_context_takeover", false, "with compression, keep context across messages both ways (~300 KiB per connection)")
                    .flag("--compression-context-takeover"),
            size("compression_budget", WS.compressionBudgetBytes(), 0, Long.MAX_VALUE,
                    "compression context all connections may keep with context takeover").flag("--compression-budget"),
            path("tls_cert", "serve wss:// with this PEM certificate chain (server certificate first); needs tls_key")
                    .flag("--tls-cert"),
            path("tls_key", "PEM private key of tls_cert: PKCS#8, PKCS#1 or SEC1, unencrypted").flag("--tls-key"),
            path("tls_keystore", "serve wss:// with the key and chain of this PKCS#12 file").flag("--tls-keystore"),
            // No flag: command lines are visible to every user of the machine (ps).
            string("tls_keystore_password", null, "password of tls_keystore (from the file or DUPLEX_TLS_KEYSTORE_PASSWORD, "
                    + "never a flag)").secret(),
            bool("tls_self_signed", false, "serve wss:// with a certificate generated at start for localhost")
                    .flag("--tls-self-signed"),
            // The HTTP API.
            string("api_key", null, "HTTP API key (Authorization: apikey KEY), 16+ characters; unset: /api/* is off")
                    .secret(),
            // The hub.
            duration("hub.connect_timeout", Duration.ofSeconds(10), 1, "time a new connection has to send connect (3005 after)"),
            duration("hub.heartbeat", Duration.ofSeconds(25), 1, "ping interval clients are told; twice as long without a command: 3003"),
            bool("hub.anonymous", true, "accept connections without a token (user \"\")"),
            integer("hub.max_channels_per_connection", 128, 1, Integer.MAX_VALUE, "subscriptions per connection (error 106 above)"),
            integer("hub.max_connections_per_user", 100, 0, Integer.MAX_VALUE, "connections of one user on this node (3503 above); 0 = no limit"),
            rate("hub.commands_per_second", 100, "command rate per connection (error 110 above)"),
            integer("hub.command_burst", 200, 1, Integer.MAX_VALUE, "commands a connection may send at once before the rate applies"),
            rate("hub.user_commands_per_second", 500, "command rate of all connections of one user together"),
            integer("hub.user_command_burst", 1_000, 1, Integer.MAX_VALUE, "burst of hub.user_commands_per_second"),
            integer("hub.max_bad_commands", 10, 1, Integer.MAX_VALUE, "bad commands in a row before a disconnect with 3501"),
            size("hub.max_queued_bytes", MiB, 1_024, Long.MAX_VALUE,
                    "bytes queued for one connection before its namespace's slow_consumer policy applies"),
            rate("hub.connections_per_second", 1_000, "new connections this node admits per second (3007 above)"),
            integer("hub.connection_burst", 2_000, 1, Integer.MAX_VALUE, "connections admitted at once before the rate applies"),
            duration("hub.drain_window", Duration.ofSeconds(5), 0,
                    "on shutdown, disconnects (3000, close 1001) are spread over this window"),
            size("hub.history_memory_bytes", 256 * MiB, 0, Long.MAX_VALUE,
                    "history and de-duplication entries all channels may hold, counted encoded (error 106 above)"),
            integer("hub.max_streams", 100_000, 1, Integer.MAX_VALUE, "channels with a stream (history, offsets) on this node (error 106 above)"),
            bool("hub.frame_trace", false, "give connections a trace key so that another connection may watch their frames "
                    + "(always on with the dashboard, whose connection inspector uses it)"),
            // Tokens.
            string("tokens.hmac_secret", null, "HS256 secret for connection and subscription tokens, at least 32 bytes").secret(),
            list("tokens.public_keys", "RS256/ES256 public keys: PEM text, or file:PATH"),
            bool("tokens.require_expiry", true, "refuse tokens without exp (a token that never expires is valid as long as its key)"),
            string("tokens.audience", null, "if set, a token's aud must include it (so tokens issued for other services are refused)"),
            string("tokens.issuer", null, "if set, a token's iss must equal it"));

    /** The keys of {@code default_namespace:} and of each namespace under {@code namespaces:}. */
    public static final List<Setting> NAMESPACE = List.of(
            integer("history_size", 100, 0, Integer.MAX_VALUE, "publications kept per channel for history and recovery; 0 = none"),
            duration("history_ttl", Duration.ofMinutes(5), 1, "how long a publication stays in history"),
            bool("presence", true, "clients may ask who is subscribed"),
            bool("join_leave", true, "subscribers get join and leave messages"),
            choice("subscribe", "anyone", List.of("anyone", "user", "token", "nobody"),
                    "who may subscribe: anyone, user (connection token), token (subscription token), nobody"),
            choice("publish", "same_as_subscribe", List.of("same_as_subscribe", "anyone", "user", "token", "nobody"),
                    "who may publish over WebSocket: the subscribe rule, or anyone, user, token (subscribed with a "
                            + "subscription token), nobody (only the HTTP API)"),
            choice("history", "same_as_subscribe", List.of("same_as_subscribe", "anyone", "user", "token", "nobody"),
                    "who may read presence and history: the subscribe rule, or anyone, user, token (a subscription token, "
                            + "or subscribed with one), nobody"),
            size("max_message_bytes", 65_536, 1, Integer.MAX_VALUE, "largest publication data, encoded (error 111 above)"),
            choice("mode", "stream", List.of("stream", "latest"),
                    "stream, or latest: a new subscriber also gets the latest publication at once"),
            choice("slow_consumer", "disconnect", List.of("disconnect", "drop_oldest", "latest_per_key"),
                    "when a subscriber's queue is full: disconnect (3002), drop_oldest, or latest_per_key"),
            duration("dedup_window", Duration.ofMinutes(2), 1, "how long a publish msgId (or Idempotency-Key) is remembered"));

    private static final Map<String, Setting> BY_KEY = new LinkedHashMap<>();
    private static final Map<String, Setting> NAMESPACE_BY_NAME = new LinkedHashMap<>();

    static {
        for (Setting s : GLOBAL) {
            BY_KEY.put(s.key(), s);
        }
        for (Setting s : NAMESPACE) {
            NAMESPACE_BY_NAME.put(s.key(), s);
        }
    }

    private Settings() {
    }

    /** The global setting {@code key} ({@code port}, {@code hub.heartbeat}), or null. */
    public static Setting global(String key) {
        return BY_KEY.get(key);
    }

    /** The namespace setting {@code name} ({@code history_size}), or null. */
    public static Setting namespace(String name) {
        return NAMESPACE_BY_NAME.get(name);
    }

    /** The keys a section ({@code ""} for the top level, {@code hub}, {@code tokens}) may hold, sections included. */
    static Set<String> namesIn(String section) {
        Set<String> names = new LinkedHashSet<>();
        for (Setting s : GLOBAL) {
            int dot = s.key().indexOf('.');
            if (section.isEmpty()) {
                names.add(dot < 0 ? s.key() : s.key().substring(0, dot));
            } else if (dot > 0 && s.key().substring(0, dot).equals(section)) {
                names.add(s.name());
            }
        }
        if (section.isEmpty()) {
            names.add(DEFAULT_NAMESPACE);
            names.add(NAMESPACES);
        }
        return names;
    }

    static List<String> namespaceNames() {
        return new ArrayList<>(NAMESPACE_BY_NAME.keySet());
    }

    /** Every full key, namespace keys as {@code default_namespace.NAME}: what "did you mean" looks through across sections. */
    static List<String> allKeys() {
        List<String> keys = new ArrayList<>(BY_KEY.keySet());
        for (String name : NAMESPACE_BY_NAME.keySet()) {
            keys.add(DEFAULT_NAMESPACE + "." + name);
        }
        return keys;
    }
}
