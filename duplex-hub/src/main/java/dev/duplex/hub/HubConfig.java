package dev.duplex.hub;

import dev.duplex.hub.auth.TokenVerifier;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the hub can be told, with defaults that give a working open hub on first run. Immutable;
 * build with {@link #builder()}. The configuration file of {@code duplex serve} maps onto it one key
 * per setting (see docs/hub-configuration.md).
 */
public final class HubConfig {
    private final Duration connectTimeout;
    private final Duration heartbeat;
    private final boolean anonymous;
    private final TokenVerifier tokens;
    private final int maxChannelsPerConnection;
    private final int maxConnectionsPerUser;
    private final double commandsPerSecond;
    private final int commandBurst;
    private final double userCommandsPerSecond;
    private final int userCommandBurst;
    private final int maxBadCommands;
    private final long maxQueuedBytes;
    private final double connectionsPerSecond;
    private final int connectionBurst;
    private final Duration drainWindow;
    private final String apiKey;
    private final boolean frameTrace;
    private final long historyMemoryBytes;
    private final int maxStreams;
    private final NamespaceConfig defaultNamespace;
    private final Map<String, NamespaceConfig> namespaces;

    private HubConfig(Builder b) {
        this.connectTimeout = b.connectTimeout;
        this.heartbeat = b.heartbeat;
        this.anonymous = b.anonymous;
        this.tokens = b.tokens;
        this.maxChannelsPerConnection = b.maxChannelsPerConnection;
        this.maxConnectionsPerUser = b.maxConnectionsPerUser;
        this.commandsPerSecond = b.commandsPerSecond;
        this.commandBurst = b.commandBurst;
        this.userCommandsPerSecond = b.userCommandsPerSecond;
        this.userCommandBurst = b.userCommandBurst;
        this.maxBadCommands = b.maxBadCommands;
        this.maxQueuedBytes = b.maxQueuedBytes;
        this.connectionsPerSecond = b.connectionsPerSecond;
        this.connectionBurst = b.connectionBurst;
        this.drainWindow = b.drainWindow;
        this.apiKey = b.apiKey;
        this.frameTrace = b.frameTrace;
        this.historyMemoryBytes = b.historyMemoryBytes;
        this.maxStreams = b.maxStreams;
        this.defaultNamespace = b.defaultNamespace;
        this.namespaces = Map.copyOf(b.namespaces);
    }

    public static HubConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.connectTimeout = connectTimeout;
        b.heartbeat = heartbeat;
        b.anonymous = anonymous;
        b.tokens = tokens;
        b.maxChannelsPerConnection = maxChannelsPerConnection;
        b.maxConnectionsPerUser = maxConnectionsPerUser;
        b.commandsPerSecond = commandsPerSecond;
        b.commandBurst = commandBurst;
        b.userCommandsPerSecond = userCommandsPerSecond;
        b.userCommandBurst = userCommandBurst;
        b.maxBadCommands = maxBadCommands;
        b.maxQueuedBytes = maxQueuedBytes;
        b.connectionsPerSecond = connectionsPerSecond;
        b.connectionBurst = connectionBurst;
        b.drainWindow = drainWindow;
        b.apiKey = apiKey;
        b.frameTrace = frameTrace;
        b.historyMemoryBytes = historyMemoryBytes;
        b.maxStreams = maxStreams;
        b.defaultNamespace = defaultNamespace;
        b.namespaces.putAll(namespaces);
        return b;
    }

    /** The namespace of a channel ("chat" for "chat:lobby", "" for "lobby"), or null if not configured. */
    public NamespaceConfig namespaceOf(String channel) {
        int colon = channel.indexOf(':');
        return colon < 0 ? defaultNamespace : namespaces.get(channel.substring(0, colon));
    }

    /** How long a new connection has to send {@code connect}. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The ping interval clients are told; silence for twice as long disconnects (3003). */
    public Duration heartbeat() {
        return heartbeat;
    }

    /** Whether a connection without a token is accepted (as an anonymous user). */
    public boolean anonymous() {
        return anonymous;
    }

    /** Verifies connection and subscription tokens; null when no keys are configured. */
    public TokenVerifier tokens() {
        return tokens;
    }

    public int maxChannelsPerConnection() {
        return maxChannelsPerConnection;
    }

    /** 0 = unlimited. */
    public int maxConnectionsPerUser() {
        return maxConnectionsPerUser;
    }

    public double commandsPerSecond() {
        return commandsPerSecond;
    }

    public int commandBurst() {
        return commandBurst;
    }

    public double userCommandsPerSecond() {
        return userCommandsPerSecond;
    }

    public int userCommandBurst() {
        return userCommandBurst;
    }

    /** Bad commands (errors 104, 107) in a row before a disconnect with 3501. */
    public int maxBadCommands() {
        return maxBadCommands;
    }

    /** Bytes a connection may have waiting to be sent before its namespace's slow-consumer policy applies. */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /** New connections per second this node admits (a token bucket); beyond, 3007 with a retry hint. */
    public double connectionsPerSecond() {
        return connectionsPerSecond;
    }

    public int connectionBurst() {
        return connectionBurst;
    }

    /** A graceful shutdown spreads disconnects over this window. */
    public Duration drainWindow() {
        return drainWindow;
    }

    /** The key of the HTTP API ({@code Authorization: apikey KEY}); null disables the API. */
    public String apiKey() {
        return apiKey;
    }

    /** Whether connections get a trace key so that another connection may watch their frames. */
    public boolean frameTrace() {
        return frameTrace;
    }

    /**
     * Bytes the in-memory broker may spend on history and de-duplication entries, node-wide
     * (publications counted at their encoded size); beyond, publications get error 106.
     */
    public long historyMemoryBytes() {
        return historyMemoryBytes;
    }

    /** Channels with a stream the in-memory broker may hold; beyond, a new channel gets error 106. */
    public int maxStreams() {
        return maxStreams;
    }

    public NamespaceConfig defaultNamespace() {
        return defaultNamespace;
    }

    public Map<String, NamespaceConfig> namespaces() {
        return namespaces;
    }

    /** Mutable builder; every setter validates its value and says what is wrong. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration heartbeat = Duration.ofSeconds(25);
        private boolean anonymous = true;
        private TokenVerifier tokens;
        private int maxChannelsPerConnection = 128;
        private int maxConnectionsPerUser = 100;
        private double commandsPerSecond = 100;
        private int commandBurst = 200;
        private double userCommandsPerSecond = 500;
        private int userCommandBurst = 1_000;
        private int maxBadCommands = 10;
        private long maxQueuedBytes = 1 << 20;
        private double connectionsPerSecond = 1_000;
        private int connectionBurst = 2_000;
        private Duration drainWindow = Duration.ofSeconds(5);
        private String apiKey;
        private boolean frameTrace;
        private long historyMemoryBytes = dev.duplex.hub.broker.MemoryBroker.DEFAULT_MAX_HISTORY_BYTES;
        private int maxStreams = dev.duplex.hub.broker.MemoryBroker.DEFAULT_MAX_STREAMS;
        private NamespaceConfig defaultNamespace = NamespaceConfig.defaults();
        private final Map<String, NamespaceConfig> namespaces = new LinkedHashMap<>();

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = NamespaceConfig.positive(value, "connect timeout");
            return this;
        }

        public Builder heartbeat(Duration value) {
            this.heartbeat = NamespaceConfig.positive(value, "heartbeat");
            return this;
        }

        public Builder anonymous(boolean value) {
            this.anonymous = value;
            return this;
        }

        public Builder tokens(TokenVerifier value) {
            this.tokens = value;
            return this;
        }

        public Builder maxChannelsPerConnection(int value) {
            this.maxChannelsPerConnection = atLeast(value, 1, "max channels per connection");
            return this;
        }

        public Builder maxConnectionsPerUser(int value) {
            this.maxConnectionsPerUser = atLeast(value, 0, "max connections per user");
            return this;
        }

        public Builder commandRate(double perSecond, int burst) {
            this.commandsPerSecond = rate(perSecond, "commands per second");
            this.commandBurst = atLeast(burst, 1, "command burst");
            return this;
        }

        public Builder userCommandRate(double perSecond, int burst) {
            this.userCommandsPerSecond = rate(perSecond, "user commands per second");
            this.userCommandBurst = atLeast(burst, 1, "user command burst");
            return this;
        }

        public Builder maxBadCommands(int value) {
            this.maxBadCommands = atLeast(value, 1, "max bad commands");
            return this;
        }

        public Builder maxQueuedBytes(long value) {
            if (value < 1024) {
                throw new IllegalArgumentException("max queued bytes must be at least 1024: " + value);
            }
            this.maxQueuedBytes = value;
            return this;
        }

        public Builder connectionRate(double perSecond, int burst) {
            this.connectionsPerSecond = rate(perSecond, "connections per second");
            this.connectionBurst = atLeast(burst, 1, "connection burst");
            return this;
        }

        public Builder drainWindow(Duration value) {
            Objects.requireNonNull(value, "drain window");
            if (value.isNegative()) {
                throw new IllegalArgumentException("drain window must not be negative: " + value);
            }
            this.drainWindow = value;
            return this;
        }

        public Builder apiKey(String value) {
            if (value != null && value.length() < 16) {
                throw new IllegalArgumentException("the API key must be at least 16 characters long");
            }
            this.apiKey = value;
            return this;
        }

        /**
         * Offers frame traces (the {@code trace} command) to connections; off by default. A trace is
         * only given to a connection that presents the traced connection's own secret trace key, a
         * tracing connection cannot itself be traced, and frame messages are rate-limited.
         */
        public Builder frameTrace(boolean value) {
            this.frameTrace = value;
            return this;
        }

        /** See {@link HubConfig#historyMemoryBytes()}; 256 MiB by default. */
        public Builder historyMemoryBytes(long value) {
            if (value < 0) {
                throw new IllegalArgumentException("history memory must not be negative: " + value);
            }
            this.historyMemoryBytes = value;
            return this;
        }

        /** See {@link HubConfig#maxStreams()}; 100,000 by default. */
        public Builder maxStreams(int value) {
            this.maxStreams = atLeast(value, 1, "max streams");
            return this;
        }

        public Builder defaultNamespace(NamespaceConfig value) {
            this.defaultNamespace = Objects.requireNonNull(value, "default namespace");
            return this;
        }

        /** Adds or replaces the namespace {@code name} (letters, digits, '-', '_' and '.'). */
        public Builder namespace(String name, NamespaceConfig value) {
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("namespace names are 1–64 letters, digits, '-', '_' or '.': '" + name + "'");
            }
            namespaces.put(name, Objects.requireNonNull(value, "namespace " + name));
            return this;
        }

        public HubConfig build() {
            return new HubConfig(this);
        }

        private static int atLeast(int value, int min, String what) {
            if (value < min) {
                throw new IllegalArgumentException(what + " must be at least " + min + ": " + value);
            }
            return value;
        }

        private static double rate(double value, String what) {
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(what + " must be a positive number: " + value);
            }
            return value;
        }
    }
}
