package dev.duplex.server.config;

import dev.duplex.conformance.ConformanceLimits;
import dev.duplex.hub.Access;
import dev.duplex.hub.DeliveryMode;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.SlowConsumerPolicy;
import dev.duplex.hub.auth.TokenVerifier;
import dev.duplex.server.config.ServeConfig.Namespace;
import dev.duplex.server.config.ServeConfig.Value;
import dev.duplex.server.config.YamlTree.Entry;
import dev.duplex.server.config.YamlTree.Mapping;
import dev.duplex.server.config.YamlTree.Node;
import dev.duplex.server.config.YamlTree.Scalar;
import dev.duplex.server.config.YamlTree.Sequence;
import dev.duplex.websocket.WebSocketOptions;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Reads {@code duplex serve}'s configuration: built-in defaults, then the YAML file, then
 * {@code DUPLEX_*} environment variables, then flags (each later source wins), and validates all of
 * it before anything starts. Every problem is reported at once, each naming the key, where it was set
 * and what is wrong; the builders' own checks ({@code HubConfig}, {@code NamespaceConfig}, the
 * WebSocket options) are translated the same way.
 *
 * <p>Environment variables: {@code DUPLEX_} and the key in upper case with dots as underscores, for
 * every key outside {@code namespaces} ({@code DUPLEX_PORT}, {@code DUPLEX_API_KEY},
 * {@code DUPLEX_HUB_HEARTBEAT}, {@code DUPLEX_TOKENS_HMAC_SECRET},
 * {@code DUPLEX_DEFAULT_NAMESPACE_HISTORY_SIZE}); lists are comma-separated; an empty variable is
 * ignored. {@code DUPLEX_CONFIG} names the file when {@code --config} does not.
 */
public final class ConfigLoader {
    /** Names the configuration file when {@code --config} is not given. */
    public static final String CONFIG_VARIABLE = "DUPLEX_CONFIG";
    /** Secrets printed in the documentation (API keys, HMAC secrets): refused as real ones. */
    static final Set<String> DOCUMENTED_SECRETS = Set.of("change-me-to-a-long-secret",
            "at-least-32-bytes-of-secret-for-hs256-tokens");

    private static final String NO_KEYS = "no token keys are configured (tokens.hmac_secret or tokens.public_keys)";

    /** A flag of {@code duplex serve} that was given: its name and value (a String, a Boolean or a List of Strings). */
    public record Flag(String name, Object value) {
    }

    private final Map<String, String> environment;

    /** Reads overrides from {@code environment} (the process's: {@code System.getenv()}). */
    public ConfigLoader(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /**
     * The effective configuration.
     *
     * @param file the YAML file, or null for none
     * @param flags the flags given on the command line
     * @throws ConfigException listing every problem
     */
    public ServeConfig load(Path file, List<Flag> flags) throws ConfigException {
        return new Load(file).run(flags);
    }

    /** One load: the values as they are merged, and the problems found. */
    private final class Load {
        private final Path file;
        private final String fileName;
        private final Path baseDirectory;
        private final Map<String, Value> global = new LinkedHashMap<>();
        private final Map<String, Value> defaultNamespace = new LinkedHashMap<>();
        private final Map<String, Namespace> namespaces = new LinkedHashMap<>();
        private final List<String> errors = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();

        Load(Path file) {
            this.file = file;
            this.fileName = file == null ? null : file.toString();
            Path absolute = file == null ? null : file.toAbsolutePath().getParent();
            this.baseDirectory = absolute;
            for (Setting s : Settings.GLOBAL) {
                global.put(s.key(), new Value(s.defaultValue(), Source.DEFAULT));
            }
            defaults(defaultNamespace);
        }

        ServeConfig run(List<Flag> flags) throws ConfigException {
            if (file != null) {
                readFile();
            }
            readEnvironment();
            readFlags(flags);
            // Built even after errors (with defaults in place of the bad values), so that the
            // builders' checks report their problems in the same run.
            return build();
        }

        // -------------------------------------------------------------- the file

        private void readFile() {
            String text;
            try {
                text = Files.readString(file);
            } catch (NoSuchFileException e) {
                errors.add("cannot read the configuration file " + fileName + ": it does not exist");
                return;
            } catch (CharacterCodingException e) {
                errors.add("cannot read the configuration file " + fileName + ": it is not UTF-8 text");
                return;
            } catch (IOException e) {
                errors.add("cannot read the configuration file " + fileName + ": " + e.getMessage());
                return;
            }
            Node root;
            try {
                root = YamlTree.parse(text);
            } catch (YamlTree.SyntaxException e) {
                errors.add(e.getMessage() + " in " + fileName + (e.line > 0 ? " line " + e.line : ""));
                return;
            }
            if (root == null) {
                return;
            }
            if (!(root instanceof Mapping top)) {
                errors.add(fileName + " must hold keys and values (key: value), not " + what(root));
                return;
            }
            for (Entry e : top.entries().values()) {
                String key = e.key();
                if (key.equals(Settings.HUB) || key.equals(Settings.TOKENS)) {
                    section(e);
                } else if (key.equals(Settings.DEFAULT_NAMESPACE)) {
                    namespaceBlock(e, defaultNamespace, Settings.DEFAULT_NAMESPACE);
                } else if (key.equals(Settings.NAMESPACES)) {
                    namespaceList(e);
                } else if (!key.contains(".") && Settings.global(key) != null) {
                    set(Settings.global(key), e, global);
                } else {
                    unknown(key, key, e.line(), Settings.namesIn(""));
                }
            }
        }

        private void section(Entry e) {
            Mapping m = mapping(e, e.key());
            if (m == null) {
                return;
            }
            for (Entry inner : m.entries().values()) {
                String key = e.key() + "." + inner.key();
                Setting s = Settings.global(key);
                if (s == null) {
                    unknown(key, inner.key(), inner.line(), Settings.namesIn(e.key()));
                } else {
                    set(s, inner, global);
                }
            }
        }

        private void namespaceBlock(Entry e, Map<String, Value> target, String prefix) {
            Mapping m = mapping(e, prefix);
            if (m == null) {
                return;
            }
            for (Entry inner : m.entries().values()) {
                Setting s = Settings.namespace(inner.key());
                if (s == null) {
                    unknown(prefix + "." + inner.key(), inner.key(), inner.line(), Settings.namespaceNames());
                } else {
                    set(s, inner, target, prefix + "." + inner.key());
                }
            }
        }

        private void namespaceList(Entry e) {
            Mapping m = mapping(e, Settings.NAMESPACES);
            if (m == null) {
                return;
            }
            for (Entry ns : m.entries().values()) {
                Map<String, Value> values = new LinkedHashMap<>();
                defaults(values);
                namespaceBlock(ns, values, Settings.NAMESPACES + "." + ns.key());
                namespaces.put(ns.key(), new Namespace(ns.line(), values));
            }
        }

        /** The entry's mapping; null (and no error) when empty, null with an error when not a mapping. */
        private Mapping mapping(Entry e, String key) {
            if (e.value() instanceof Mapping m) {
                return m;
            }
            if (e.value() instanceof Scalar s && s.isNull()) {
                return null;
            }
            errors.add("'" + key + "' in " + fileName + " line " + e.line() + " must hold keys and values (key: value), not "
                    + what(e.value()));
            return null;
        }

        private void set(Setting s, Entry e, Map<String, Value> target) {
            set(s, e, target, s.key());
        }

        private void set(Setting s, Entry e, Map<String, Value> target, String label) {
            Source source = Source.file(fileName, e.line());
            Node node = e.value();
            try {
                if (node instanceof Scalar scalar) {
                    if (scalar.isNull()) {
                        return; // "key:" with nothing: the default
                    }
                    target.put(s.key(), new Value(s.parse(scalar.text(), scalar.type(), Setting.Origin.FILE), source));
                } else if (node instanceof Sequence seq && s.kind() == Setting.Kind.LIST) {
                    List<String> items = new ArrayList<>();
                    for (Node item : seq.items()) {
                        if (!(item instanceof Scalar is) || is.isNull() || is.type() == Setting.ScalarType.BOOLEAN) {
                            throw new IllegalArgumentException("expected a list of strings; item " + (items.size() + 1)
                                    + " is " + what(item));
                        }
                        items.add(is.text());
                    }
                    target.put(s.key(), new Value(List.copyOf(items), source));
                } else {
                    throw new IllegalArgumentException("expected " + (s.kind() == Setting.Kind.LIST ? "a list" : "a single value")
                            + ", got " + what(node));
                }
            } catch (IllegalArgumentException ex) {
                errors.add(invalid(label, source, ex.getMessage()));
            }
        }

        private void unknown(String key, String name, int line, Set<String> candidates) {
            unknown(key, name, line, new ArrayList<>(candidates));
        }

        private void unknown(String key, String name, int line, List<String> candidates) {
            String hint = Suggestions.closest(name, candidates);
            if (hint == null) {
                // In another section? "heartbeat" at the top level is "hub.heartbeat".
                for (String full : Settings.allKeys()) {
                    if (full.endsWith("." + name) && !full.equals(key)) {
                        hint = full;
                        break;
                    }
                }
            }
            errors.add("unknown key '" + key + "' in " + fileName + " line " + line
                    + (hint == null ? "" : " (did you mean '" + hint + "'?)"));
        }

        // -------------------------------------------------------------- environment and flags

        private void readEnvironment() {
            Map<String, Setting> known = new LinkedHashMap<>();
            for (Setting s : Settings.GLOBAL) {
                known.put(s.environmentVariable(), s);
            }
            Map<String, Setting> knownNamespace = new LinkedHashMap<>();
            for (Setting s : Settings.NAMESPACE) {
                knownNamespace.put(namespaceVariable(s), s);
            }
            for (String variable : new TreeSet<>(environment.keySet())) {
                if (!variable.startsWith("DUPLEX_") || variable.equals(CONFIG_VARIABLE)) {
                    continue;
                }
                String text = environment.get(variable);
                Setting s = known.get(variable);
                Map<String, Value> target = global;
                String label = s == null ? null : s.key();
                if (s == null) {
                    s = knownNamespace.get(variable);
                    target = defaultNamespace;
                    label = s == null ? null : Settings.DEFAULT_NAMESPACE + "." + s.key();
                }
                if (s == null) {
                    List<String> names = new ArrayList<>(known.keySet());
                    names.addAll(knownNamespace.keySet());
                    String hint = Suggestions.closest(variable, names);
                    warnings.add("ignoring environment variable " + variable + ": no such setting"
                            + (hint == null ? "" : " (did you mean " + hint + "?)"));
                    continue;
                }
                if (text == null || text.isEmpty()) {
                    continue;
                }
                Source source = Source.environment(variable);
                try {
                    target.put(s.key(), new Value(s.parse(text, Setting.ScalarType.STRING, Setting.Origin.ENVIRONMENT), source));
                } catch (IllegalArgumentException e) {
                    errors.add(invalid(label, source, e.getMessage()));
                }
            }
        }

        private void readFlags(List<Flag> flags) {
            for (Flag flag : flags) {
                Setting s = null;
                for (Setting candidate : Settings.GLOBAL) {
                    if (flag.name().equals(candidate.flag())) {
                        s = candidate;
                    }
                }
                if (s == null) {
                    throw new IllegalArgumentException("No setting for flag " + flag.name());
                }
                Source source = Source.flag(flag.name());
                try {
                    Object value;
                    if (flag.value() instanceof Boolean b) {
                        value = b;
                    } else if (flag.value() instanceof List<?> items) {
                        List<String> all = new ArrayList<>();
                        for (Object item : items) {
                            @SuppressWarnings("unchecked")
                            List<String> parsed = (List<String>) s.parse(String.valueOf(item), Setting.ScalarType.STRING,
                                    Setting.Origin.COMMAND_LINE);
                            all.addAll(parsed);
                        }
                        value = List.copyOf(all);
                    } else {
                        value = s.parse(String.valueOf(flag.value()), Setting.ScalarType.STRING, Setting.Origin.COMMAND_LINE);
                    }
                    global.put(s.key(), new Value(value, source));
                } catch (IllegalArgumentException e) {
                    errors.add(invalid(s.key(), source, e.getMessage()));
                }
            }
        }

        // -------------------------------------------------------------- building and cross-checks

        private ServeConfig build() throws ConfigException {
            HubConfig.Builder hub = HubConfig.builder();
            apply(hub, "hub.connect_timeout", b -> b.connectTimeout(duration("hub.connect_timeout")));
            apply(hub, "hub.heartbeat", b -> b.heartbeat(duration("hub.heartbeat")));
            apply(hub, "hub.anonymous", b -> b.anonymous(bool("hub.anonymous")));
            apply(hub, "hub.max_channels_per_connection", b -> b.maxChannelsPerConnection(integer("hub.max_channels_per_connection")));
            apply(hub, "hub.max_connections_per_user", b -> b.maxConnectionsPerUser(integer("hub.max_connections_per_user")));
            apply(hub, "hub.commands_per_second", b -> b.commandRate(rate("hub.commands_per_second"), integer("hub.command_burst")));
            apply(hub, "hub.user_commands_per_second",
                    b -> b.userCommandRate(rate("hub.user_commands_per_second"), integer("hub.user_command_burst")));
            apply(hub, "hub.max_bad_commands", b -> b.maxBadCommands(integer("hub.max_bad_commands")));
            apply(hub, "hub.max_queued_bytes", b -> b.maxQueuedBytes(size("hub.max_queued_bytes")));
            apply(hub, "hub.connections_per_second",
                    b -> b.connectionRate(rate("hub.connections_per_second"), integer("hub.connection_burst")));
            apply(hub, "hub.drain_window", b -> b.drainWindow(duration("hub.drain_window")));
            apply(hub, "hub.history_memory_bytes", b -> b.historyMemoryBytes(size("hub.history_memory_bytes")));
            apply(hub, "hub.max_streams", b -> b.maxStreams(integer("hub.max_streams")));
            apply(hub, "hub.frame_trace", b -> b.frameTrace(bool("hub.frame_trace")));
            apply(hub, "api_key", b -> {
                if (string("api_key") != null && DOCUMENTED_SECRETS.contains(string("api_key"))) {
                    // Everyone has read the documentation: its example key guards nothing.
                    throw new IllegalArgumentException("this is the documentation's example key; choose your own, "
                            + "for example with: openssl rand -hex 24");
                }
                b.apiKey(string("api_key"));
            });
            TokenVerifier tokens = tokens();
            hub.tokens(tokens);
            if (!bool("hub.anonymous") && tokens == null && !hasTokenErrors()) {
                errors.add("'hub.anonymous' is false (" + global.get("hub.anonymous").source().describe() + ") but " + NO_KEYS
                        + ": no client could connect");
            }
            NamespaceConfig defaults = namespace(defaultNamespace, Settings.DEFAULT_NAMESPACE, tokens);
            if (defaults != null) {
                hub.defaultNamespace(defaults);
            }
            for (Map.Entry<String, Namespace> ns : namespaces.entrySet()) {
                String label = Settings.NAMESPACES + "." + ns.getKey();
                NamespaceConfig config = namespace(ns.getValue().values(), label, tokens);
                try {
                    if (config != null) {
                        hub.namespace(ns.getKey(), config);
                    }
                } catch (IllegalArgumentException e) {
                    errors.add("invalid namespace name '" + ns.getKey() + "' in " + fileName + " line " + ns.getValue().line()
                            + ": " + e.getMessage());
                }
            }

            WebSocketOptions options = null;
            try {
                options = webSocketOptions();
            } catch (IllegalArgumentException e) {
                errors.add("invalid server limits: " + e.getMessage());
            }
            List<String> allowedOrigins = list("allowed_origins");
            if (options != null && allowedOrigins.contains("*")) {
                if (allowedOrigins.size() > 1) {
                    errors.add(invalid("allowed_origins", global.get("allowed_origins").source(),
                            "'*' allows every origin, so list nothing beside it"));
                }
                options = options.withAnyOriginAllowed();
            } else if (options != null && !allowedOrigins.isEmpty()) {
                try {
                    options = options.withAllowedOrigins(allowedOrigins);
                } catch (IllegalArgumentException e) {
                    errors.add(invalid("allowed_origins", global.get("allowed_origins").source(), e.getMessage()));
                }
            }
            HubConfig hubConfig = hub.build();
            if (!errors.isEmpty()) {
                throw new ConfigException(errors, warnings);
            }
            return new ServeConfig(file, baseDirectory, global, defaultNamespace, namespaces, hubConfig, options, warnings);
        }

        private WebSocketOptions webSocketOptions() {
            WebSocketOptions options = WebSocketOptions.defaults()
                    .withMaxMessageBytes(size("max_message_size"))
                    .withMaxFrameBytes(size("max_frame_size"))
                    .withMaxFragments(integer("max_fragments"))
                    .withMaxQueuedBytes(size("max_queued_bytes"))
                    .withPingInterval(duration("ping_interval"))
                    .withIdleTimeout(duration("idle_timeout"))
                    .withHandshakeTimeout(duration("handshake_timeout"))
                    .withCloseTimeout(duration("close_timeout"))
                    .withMaxPingsPerSecond(integer("max_pings_per_second"))
                    .withMaxHeadBytes((int) size("max_header_bytes"))
                    .withMaxHeaderCount(integer("max_headers"))
                    .withMaxConnections(integer("max_connections"))
                    .withMaxConnectionsPerAddress(integer("max_connections_per_address"))
                    .withMaxPendingHandshakes(integer("max_pending_handshakes"))
                    .withMessageMemoryBytes(size("message_memory"))
                    .withCompressionBudgetBytes(size("compression_budget"));
            // Conformance-friendly: every message compressed, so small ones exercise the code too.
            return bool("compression")
                    ? ConformanceLimits.autobahnCompression(options, bool("compression_context_takeover")) : options;
        }

        private TokenVerifier tokens() {
            String secret = string("tokens.hmac_secret");
            List<String> keys = list("tokens.public_keys");
            if (secret == null && keys.isEmpty()) {
                return null;
            }
            TokenVerifier.Builder b = TokenVerifier.builder().requireExpiry(bool("tokens.require_expiry"))
                    .audience(string("tokens.audience")).issuer(string("tokens.issuer"));
            int before = errors.size();
            if (secret != null) {
                try {
                    if (DOCUMENTED_SECRETS.contains(secret)) {
                        throw new IllegalArgumentException("this is the documentation's example secret; anyone could sign "
                                + "tokens with it: choose your own, for example with: openssl rand -hex 32");
                    }
                    b.hmacSecret(secret);
                } catch (IllegalArgumentException e) {
                    errors.add(invalid("tokens.hmac_secret", global.get("tokens.hmac_secret").source(), e.getMessage()));
                }
            }
            Source keysSource = global.get("tokens.public_keys").source();
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i);
                String label = "tokens.public_keys[" + (i + 1) + "]";
                String pem = key;
                if (key.startsWith("file:")) {
                    Path path = resolve(key.substring("file:".length()).strip(), keysSource);
                    try {
                        pem = Files.readString(path);
                    } catch (NoSuchFileException e) {
                        errors.add(invalid(label, keysSource, "the file " + path + " does not exist"));
                        continue;
                    } catch (IOException e) {
                        errors.add(invalid(label, keysSource, "cannot read " + path + ": " + e.getMessage()));
                        continue;
                    }
                }
                try {
                    b.publicKeyPem(pem);
                } catch (IllegalArgumentException e) {
                    errors.add(invalid(label, keysSource, e.getMessage()
                            + (key.startsWith("file:") || key.contains("-----") ? "" : " (for a file, write file:" + key + ")")));
                }
            }
            return errors.size() > before ? null : b.build();
        }

        private boolean hasTokenErrors() {
            for (String e : errors) {
                if (e.contains("'tokens.")) {
                    return true;
                }
            }
            return false;
        }

        private NamespaceConfig namespace(Map<String, Value> values, String label, TokenVerifier tokens) {
            NamespaceConfig.Builder b = NamespaceConfig.builder();
            int before = errors.size();
            nsApply(b, values, label, "history_size", x -> x.historySize((Integer) values.get("history_size").value()));
            nsApply(b, values, label, "history_ttl", x -> x.historyTtl((Duration) values.get("history_ttl").value()));
            nsApply(b, values, label, "presence", x -> x.presence((Boolean) values.get("presence").value()));
            nsApply(b, values, label, "join_leave", x -> x.joinLeave((Boolean) values.get("join_leave").value()));
            nsApply(b, values, label, "subscribe", x -> x.subscribe(access(values, "subscribe")));
            nsApply(b, values, label, "publish", x -> x.publish(access(values, "publish")));
            nsApply(b, values, label, "history", x -> x.history(access(values, "history")));
            nsApply(b, values, label, "max_message_bytes",
                    x -> x.maxMessageBytes((int) (long) (Long) values.get("max_message_bytes").value()));
            nsApply(b, values, label, "mode", x -> x.mode(DeliveryMode.valueOf(upper(values, "mode"))));
            nsApply(b, values, label, "slow_consumer",
                    x -> x.slowConsumer(SlowConsumerPolicy.valueOf(upper(values, "slow_consumer"))));
            nsApply(b, values, label, "dedup_window", x -> x.dedupWindow((Duration) values.get("dedup_window").value()));
            if (tokens == null) {
                for (String key : List.of("subscribe", "publish", "history")) {
                    String access = (String) values.get(key).value();
                    if (access.equals("user") || access.equals("token")) {
                        errors.add("'" + label + "." + key + "' is '" + access + "' (" + values.get(key).source().describe()
                                + ") but " + NO_KEYS + ": no connection could " + (key.equals("history") ? "read history"
                                : key) + " (use 'nobody' to leave it to the HTTP API)");
                    }
                }
            }
            return errors.size() > before ? null : b.build();
        }

        private void nsApply(NamespaceConfig.Builder b, Map<String, Value> values, String label, String key,
                             Consumer<NamespaceConfig.Builder> setter) {
            try {
                setter.accept(b);
            } catch (IllegalArgumentException e) {
                errors.add(invalid(label + "." + key, values.get(key).source(), e.getMessage()));
            }
        }

        private void apply(HubConfig.Builder b, String key, Consumer<HubConfig.Builder> setter) {
            try {
                setter.accept(b);
            } catch (IllegalArgumentException e) {
                errors.add(invalid(key, global.get(key).source(), e.getMessage()));
            }
        }

        // -------------------------------------------------------------- helpers

        private String invalid(String key, Source source, String problem) {
            return "invalid value for '" + key + "'" + (source.kind() == Source.Kind.DEFAULT ? "" : " in " + source.describe())
                    + ": " + problem;
        }

        private Path resolve(String path, Source source) {
            Path p = Path.of(path);
            return source.kind() == Source.Kind.FILE && baseDirectory != null && !p.isAbsolute()
                    ? baseDirectory.resolve(p).normalize() : p;
        }

        private Object value(String key) {
            return global.get(key).value();
        }

        private int integer(String key) {
            return (Integer) value(key);
        }

        private long size(String key) {
            return (Long) value(key);
        }

        private double rate(String key) {
            return (Double) value(key);
        }

        private boolean bool(String key) {
            return (Boolean) value(key);
        }

        private String string(String key) {
            return (String) value(key);
        }

        private Duration duration(String key) {
            return (Duration) value(key);
        }

        @SuppressWarnings("unchecked")
        private List<String> list(String key) {
            return (List<String>) value(key);
        }
    }

    private static void defaults(Map<String, Value> values) {
        for (Setting s : Settings.NAMESPACE) {
            values.put(s.key(), new Value(s.defaultValue(), Source.DEFAULT));
        }
    }

    /** {@code DUPLEX_DEFAULT_NAMESPACE_HISTORY_SIZE}: the default namespace's keys in the environment. */
    public static String namespaceVariable(Setting s) {
        return "DUPLEX_" + (Settings.DEFAULT_NAMESPACE + "_" + s.key()).toUpperCase(Locale.ROOT);
    }

    /** The access a key names; null for {@code same_as_subscribe}, which follows the subscribe rule. */
    private static Access access(Map<String, Value> values, String key) {
        String name = upper(values, key);
        return name.equals("SAME_AS_SUBSCRIBE") ? null : Access.valueOf(name);
    }

    private static String upper(Map<String, Value> values, String key) {
        return ((String) values.get(key).value()).toUpperCase(Locale.ROOT);
    }

    private static String what(Node node) {
        if (node instanceof Mapping) {
            return "a mapping (key: value lines)";
        }
        if (node instanceof Sequence) {
            return "a list";
        }
        Scalar s = (Scalar) node;
        return s.isNull() ? "an empty value" : "'" + s.text() + "'";
    }
}
