package dev.duplex.server.config;

import dev.duplex.conformance.ConformanceLimits;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.auth.TokenVerifier;
import dev.duplex.server.config.ServeConfig.Namespace;
import dev.duplex.websocket.WebSocketOptions;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds the typed configuration from the merged {@link ConfigValues}: the {@link HubConfig} with its
 * tokens and namespaces and the {@link WebSocketOptions} (limits, origins, admission), then the
 * checks across keys. The builders'
 * own checks become errors naming the key and its source, like the readers' errors.
 */
final class ServeConfigBuilder {
    private final ConfigValues values;
    private final ConfigProblems problems;

    ServeConfigBuilder(ConfigValues values, ConfigProblems problems) {
        this.values = values;
        this.problems = problems;
    }

    /** @throws ConfigException with every error found so far, the readers' included */
    ServeConfig build() throws ConfigException {
        HubConfig.Builder hub = HubConfig.builder();
        apply(hub, "hub.connect_timeout", b -> b.connectTimeout(values.duration("hub.connect_timeout")));
        apply(hub, "hub.heartbeat", b -> b.heartbeat(values.duration("hub.heartbeat")));
        apply(hub, "hub.anonymous", b -> b.anonymous(values.bool("hub.anonymous")));
        apply(hub, "hub.max_channels_per_connection",
                b -> b.maxChannelsPerConnection(values.integer("hub.max_channels_per_connection")));
        apply(hub, "hub.max_connections_per_user",
                b -> b.maxConnectionsPerUser(values.integer("hub.max_connections_per_user")));
        apply(hub, "hub.commands_per_second",
                b -> b.commandRate(values.rate("hub.commands_per_second"), values.integer("hub.command_burst")));
        apply(hub, "hub.user_commands_per_second", b -> b.userCommandRate(values.rate("hub.user_commands_per_second"),
                values.integer("hub.user_command_burst")));
        apply(hub, "hub.max_bad_commands", b -> b.maxBadCommands(values.integer("hub.max_bad_commands")));
        apply(hub, "hub.max_queued_bytes", b -> b.maxQueuedBytes(values.size("hub.max_queued_bytes")));
        apply(hub, "hub.connections_per_second", b -> b.connectionRate(values.rate("hub.connections_per_second"),
                values.integer("hub.connection_burst")));
        apply(hub, "hub.drain_window", b -> b.drainWindow(values.duration("hub.drain_window")));
        apply(hub, "hub.history_memory_bytes", b -> b.historyMemoryBytes(values.size("hub.history_memory_bytes")));
        apply(hub, "hub.max_streams", b -> b.maxStreams(values.integer("hub.max_streams")));
        apply(hub, "hub.frame_trace", b -> b.frameTrace(values.bool("hub.frame_trace")));
        apply(hub, "api_key", b -> {
            String apiKey = values.string("api_key");
            if (apiKey != null && ConfigLoader.DOCUMENTED_SECRETS.contains(apiKey)) {
                // Everyone has read the documentation: its example key guards nothing.
                throw new IllegalArgumentException("this is the documentation's example key; choose your own, "
                        + "for example with: openssl rand -hex 24");
            }
            b.apiKey(apiKey);
        });
        TokenVerifier tokens = new TokenSettings(values, problems).verifier();
        hub.tokens(tokens);
        if (!values.bool("hub.anonymous") && tokens == null && !problems.anyErrorNames("tokens.")) {
            problems.error("'hub.anonymous' is false (" + values.source("hub.anonymous").describe() + ") but "
                    + TokenSettings.NO_KEYS + ": no client could connect");
        }
        namespaces(hub, tokens);
        WebSocketOptions options = null;
        try {
            options = origins(webSocketOptions());
        } catch (IllegalArgumentException e) {
            problems.error("invalid server limits: " + e.getMessage());
        }
        HubConfig hubConfig = hub.build();
        problems.throwIfAny();
        return new ServeConfig(values.file, values.baseDirectory, values.global, values.defaultNamespace,
                values.namespaces, hubConfig, options, problems.warnings());
    }

    private void namespaces(HubConfig.Builder hub, TokenVerifier tokens) {
        NamespaceSettings settings = new NamespaceSettings(problems);
        NamespaceConfig defaults = settings.build(values.defaultNamespace, Settings.DEFAULT_NAMESPACE, tokens);
        if (defaults != null) {
            hub.defaultNamespace(defaults);
        }
        for (Map.Entry<String, Namespace> ns : values.namespaces.entrySet()) {
            String label = Settings.NAMESPACES + "." + ns.getKey();
            NamespaceConfig config = settings.build(ns.getValue().values(), label, tokens);
            try {
                if (config != null) {
                    hub.namespace(ns.getKey(), config);
                }
            } catch (IllegalArgumentException e) {
                problems.error("invalid namespace name '" + ns.getKey() + "' in " + values.fileName + " line "
                        + ns.getValue().line() + ": " + e.getMessage());
            }
        }
    }

    /** Same origin, plus {@code allowed_origins}; {@code '*'} alone allows any origin. */
    private WebSocketOptions origins(WebSocketOptions options) {
        List<String> allowedOrigins = values.list("allowed_origins");
        if (allowedOrigins.contains("*")) {
            if (allowedOrigins.size() > 1) {
                problems.invalid("allowed_origins", values.source("allowed_origins"),
                        "'*' allows every origin, so list nothing beside it");
            }
            return options.withAnyOriginAllowed();
        }
        if (!allowedOrigins.isEmpty()) {
            try {
                return options.withAllowedOrigins(allowedOrigins);
            } catch (IllegalArgumentException e) {
                problems.invalid("allowed_origins", values.source("allowed_origins"), e.getMessage());
            }
        }
        return options;
    }

    private WebSocketOptions webSocketOptions() {
        WebSocketOptions options = WebSocketOptions.defaults()
                .withMaxMessageBytes(values.size("max_message_size"))
                .withMaxFrameBytes(values.size("max_frame_size"))
                .withMaxFragments(values.integer("max_fragments"))
                .withMaxQueuedBytes(values.size("max_queued_bytes"))
                .withPingInterval(values.duration("ping_interval"))
                .withIdleTimeout(values.duration("idle_timeout"))
                .withHandshakeTimeout(values.duration("handshake_timeout"))
                .withCloseTimeout(values.duration("close_timeout"))
                .withMaxPingsPerSecond(values.integer("max_pings_per_second"))
                .withMaxHeadBytes((int) values.size("max_header_bytes"))
                .withMaxHeaderCount(values.integer("max_headers"))
                .withMaxConnections(values.integer("max_connections"))
                .withMaxConnectionsPerAddress(values.integer("max_connections_per_address"))
                .withMaxPendingHandshakes(values.integer("max_pending_handshakes"))
                .withMessageMemoryBytes(values.size("message_memory"))
                .withCompressionBudgetBytes(values.size("compression_budget"));
        // Conformance-friendly: every message compressed, so small ones exercise the code too.
        return values.bool("compression")
                ? ConformanceLimits.autobahnCompression(options, values.bool("compression_context_takeover")) : options;
    }

    private void apply(HubConfig.Builder b, String key, Consumer<HubConfig.Builder> setter) {
        try {
            setter.accept(b);
        } catch (IllegalArgumentException e) {
            problems.invalid(key, values.source(key), e.getMessage());
        }
    }
}
