package dev.duplex.server.cli;

import dev.duplex.conformance.EchoListener;
import dev.duplex.hub.Access;
import dev.duplex.hub.HubConfig;
import dev.duplex.gateway.simulator.DeviceFleet;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.broker.redis.RedisBroker;
import dev.duplex.hub.broker.redis.RedisBrokerOptions;
import dev.duplex.hub.HubStatsPublisher;
import dev.duplex.web.StaticFiles;
import dev.duplex.server.config.ConfigException;
import dev.duplex.server.config.ConfigLoader;
import dev.duplex.server.config.ServeConfig;
import dev.duplex.server.config.Setting;
import dev.duplex.server.config.Settings;
import dev.duplex.server.endpoints.BroadcastListener;
import dev.duplex.server.tls.ServerTls;
import dev.duplex.server.tls.TlsSetupException;
import java.io.File;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code duplex serve}: the hub at {@code /connect} with its HTTP endpoints, {@code /echo} and
 * {@code /broadcast}, until interrupted; then a graceful drain. Configured by a YAML file
 * ({@code --config}), {@code DUPLEX_*} environment variables and these flags, in rising precedence
 * (see {@link ConfigLoader}); every flag sets the configuration key of the same name.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = ServeCommand.SettingDefaults.class,
        description = {"Run the Duplex hub at /connect (with /health, /ready, /metrics and, given an API key, /api/*), "
                + "the dashboard at / and an echo endpoint at /echo; with --broadcast, a broadcast endpoint at /broadcast. "
                + "Listens on 127.0.0.1 unless --host says otherwise.",
                "Settings come from the configuration file (--config), then DUPLEX_* environment variables "
                        + "(DUPLEX_PORT, DUPLEX_API_KEY, DUPLEX_HUB_HEARTBEAT…), then these flags; later ones win. "
                        + "Sizes take units (64KiB, 16MiB); durations too (500ms, 10s), a plain number being seconds.",
                "Exit status: 0 after a shutdown, 1 if the port cannot be opened, 2 for a bad configuration."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "YAML configuration file (see duplex.example.yaml); default: $DUPLEX_CONFIG, else none.")
    Path configFile;

    @Option(names = "--print-config", description = "Print the effective configuration (secrets masked, sources as comments) and exit.")
    boolean printConfig;

    @Option(names = "--port", description = "TCP port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    String port;

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; "
            + "0.0.0.0 for every interface).")
    String host;

    @Option(names = "--allowed-origin", paramLabel = "ORIGIN",
            description = "Also allow browser pages of this origin to connect, e.g. https://app.example.com or https://*.example.com; "
                    + "repeatable; '*' allows any. Default: only pages this server served.")
    List<String> allowedOrigins;

    @Option(names = "--broker", paramLabel = "URI",
            description = "A Redis shared by the nodes of a cluster: redis://HOST:PORT (rediss:// for TLS), repeatable to shard "
                    + "over several, or redis-cluster://HOST:PORT. Default: this node's in-memory broker.")
    List<String> brokers;

    @Option(names = "--event-loops", description = "Event loop threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
    String eventLoops;

    @Option(names = "--max-message-size", paramLabel = "SIZE",
            description = "Largest inbound WebSocket message (default: ${DEFAULT-VALUE}; Autobahn section 9 needs 16MiB).")
    String maxMessageSize;

    @Option(names = "--max-frame-size", paramLabel = "SIZE", description = "Largest inbound frame (default: ${DEFAULT-VALUE}).")
    String maxFrameSize;

    @Option(names = "--max-fragments", description = "Most frames per message (default: ${DEFAULT-VALUE}).")
    String maxFragments;

    @Option(names = "--max-queued-bytes", paramLabel = "SIZE",
            description = "Most bytes waiting to be sent per connection before it is closed as a slow consumer (default: ${DEFAULT-VALUE}).")
    String maxQueuedBytes;

    @Option(names = "--max-connections",
            description = "Most simultaneous connections; above it clients get 503 (default: ${DEFAULT-VALUE}).")
    String maxConnections;

    @Option(names = "--max-connections-per-address",
            description = "Most connections from one IP address; above it clients get 429 (default: ${DEFAULT-VALUE}).")
    String maxConnectionsPerAddress;

    @Option(names = "--max-pending-handshakes",
            description = "Most connections still in the opening handshake; above it clients get 503 (default: ${DEFAULT-VALUE}).")
    String maxPendingHandshakes;

    @Option(names = "--max-pings-per-second",
            description = "Pings a client may send per second before it is closed with 1008 (default: ${DEFAULT-VALUE}).")
    String maxPingsPerSecond;

    @Option(names = "--max-header-bytes", paramLabel = "SIZE",
            description = "Largest handshake request head; above it 431 (default: ${DEFAULT-VALUE}).")
    String maxHeaderBytes;

    @Option(names = "--max-headers", description = "Most handshake header lines; above it 431 (default: ${DEFAULT-VALUE}).")
    String maxHeaders;

    @Option(names = "--message-memory", paramLabel = "SIZE",
            description = "Bytes that incomplete inbound messages of all connections may hold together; "
                    + "a message that would pass it closes its connection with 1013 (default: ${DEFAULT-VALUE}).")
    String messageMemory;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION",
            description = "Time for the whole opening handshake; then 408 (default: ${DEFAULT-VALUE}).")
    String handshakeTimeout;

    @Option(names = "--close-timeout", paramLabel = "DURATION",
            description = "Time to wait for the client's Close before dropping the connection (default: ${DEFAULT-VALUE}).")
    String closeTimeout;

    @Option(names = "--ping-interval", paramLabel = "DURATION",
            description = "Time without input before the server pings; 0 = never (default: ${DEFAULT-VALUE}).")
    String pingInterval;

    @Option(names = "--idle-timeout", paramLabel = "DURATION",
            description = "Time without input before closing with 1001; 0 = never (default: ${DEFAULT-VALUE}).")
    String idleTimeout;

    @Option(names = "--dashboard", arity = "0..1", paramLabel = "BOOLEAN", negatable = true,
            description = "Serve the dashboard at / and duplex.js, and publish the hub's stats to hub:stats (default: true; --no-dashboard turns it off).")
    Boolean dashboard;

    @Option(names = "--demo", arity = "0..1", paramLabel = "BOOLEAN", negatable = true,
            description = "Run the simulated devices that feed the dashboard (default: true; --no-demo turns them off).")
    Boolean demo;

    @Option(names = "--broadcast", arity = "0..1", paramLabel = "BOOLEAN", negatable = true,
            description = "Serve /broadcast, which relays every message of every client to all the others: for benchmarks "
                    + "(default: false).")
    Boolean broadcast;

    @Option(names = "--compression", arity = "0..1", paramLabel = "BOOLEAN",
            description = "Accept permessage-deflate offers (off by default: it costs CPU and memory).")
    Boolean compression;

    @Option(names = "--compression-context-takeover", arity = "0..1", paramLabel = "BOOLEAN",
            description = "With --compression, keep compression context across messages both ways: better ratio, ~300 KiB per connection.")
    Boolean compressionContextTakeover;

    @Option(names = "--compression-budget", paramLabel = "SIZE",
            description = "Bytes of compression context all connections may keep with --compression-context-takeover; "
                    + "beyond it new connections compress without context takeover (default: ${DEFAULT-VALUE}).")
    String compressionBudget;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve wss:// with this PEM certificate chain (server certificate first); needs --tls-key.")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key of --tls-cert: PKCS#8 (PRIVATE KEY), PKCS#1 (RSA PRIVATE KEY) or SEC1 (EC PRIVATE KEY).")
    String tlsKey;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "Serve wss:// with the key and chain of this PKCS#12 file.")
    String tlsKeystore;

    @Option(names = "--tls-keystore-password", paramLabel = "PASS", hidden = true,
            description = "Refused: a password on the command line is visible to every user of the machine.")
    String tlsKeystorePassword;

    @Option(names = "--tls-self-signed", arity = "0..1", paramLabel = "BOOLEAN",
            description = "Serve wss:// with a certificate generated at start for localhost, 127.0.0.1 and ::1; prints its "
                    + "SHA-256 fingerprint and the PEM file to trust.")
    Boolean tlsSelfSigned;

    @CommandLine.Spec
    CommandSpec spec;

    /** The environment overrides are read from; tests give their own. */
    Map<String, String> environment = System.getenv();
    /** Where {@code --print-config} goes. */
    PrintStream out = System.out;
    /** Errors and the lifecycle log. */
    PrintStream err = System.err;

    /** What the last {@link #start()} used. */
    ServeConfig config;
    /** The TLS the last {@link #start()} used; null without TLS. */
    ServerTls tls;
    private HubServer server;
    /** The Redis broker, when configured: closed after the server. */
    private RedisBroker broker;

    @Override
    public Integer call() throws InterruptedException {
        ServeLog log = new ServeLog(err);
        if (tlsKeystorePassword != null) {
            err.println("duplex serve: --tls-keystore-password would show the password to every user of this machine (ps); "
                    + "set DUPLEX_TLS_KEYSTORE_PASSWORD or tls_keystore_password in the configuration file instead");
            return 2;
        }
        ServeConfig loaded;
        try {
            loaded = loadConfig();
        } catch (ConfigException e) {
            e.warnings().forEach(log::warning);
            e.problems().forEach(problem -> err.println("duplex serve: " + problem));
            return 2;
        }
        loaded.warnings().forEach(log::warning);
        if (printConfig) {
            out.print(loaded.toYaml());
            out.flush();
            return 0;
        }
        HubServer started;
        try {
            started = start(loaded);
        } catch (TlsSetupException e) {
            err.println("duplex serve: " + e.getMessage());
            return 2;
        } catch (UncheckedIOException | UnresolvedAddressException e) {
            err.println("duplex serve: cannot listen on " + loaded.string("host") + ":" + loaded.integer("port") + ": "
                    + (e instanceof UnresolvedAddressException ? "unknown host (the host setting)"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shutdown();
            stopped.countDown();
        }, "duplex-shutdown"));
        stopped.await();
        return 0;
    }

    /** The configuration from the file, the environment and the flags given. */
    ServeConfig loadConfig() throws ConfigException {
        Path file = configFile;
        if (file == null && environment.get(ConfigLoader.CONFIG_VARIABLE) != null
                && !environment.get(ConfigLoader.CONFIG_VARIABLE).isEmpty()) {
            file = Path.of(environment.get(ConfigLoader.CONFIG_VARIABLE));
        }
        return new ConfigLoader(environment).load(file, flags());
    }

    /** The flags that were given, as configuration overrides. */
    private List<ConfigLoader.Flag> flags() {
        List<ConfigLoader.Flag> flags = new ArrayList<>();
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (OptionSpec option : spec.options()) {
            if (settingOf(option) != null && parsed != null && parsed.hasMatchedOption(option)) {
                flags.add(new ConfigLoader.Flag(option.longestName(), option.getValue()));
            }
        }
        return flags;
    }

    private static Setting settingOf(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        for (Setting s : Settings.GLOBAL) {
            if (option.longestName().equals(s.flag())) {
                return s;
            }
        }
        return null;
    }

    /**
     * Loads the configuration and starts; used by tests.
     *
     * @throws ConfigException when the configuration is unusable
     * @throws TlsSetupException when the TLS settings are inconsistent or their files unusable
     */
    HubServer start() throws ConfigException {
        return start(loadConfig());
    }

    /** Starts the hub with {@code config} and says so, one line per fact. */
    HubServer start(ServeConfig loaded) {
        ServeLog log = new ServeLog(err);
        this.config = loaded;
        tls = loadTls(loaded);
        log.info(loaded.file() == null
                ? "Configuration: built-in defaults (no --config file)" + overrides(loaded)
                : "Configuration: " + loaded.file().toAbsolutePath().normalize() + overrides(loaded));
        String host = loaded.string("host");
        boolean withDashboard = loaded.bool("dashboard");
        boolean withDemo = loaded.bool("demo");
        boolean withBroadcast = loaded.bool("broadcast");
        boolean loopbackOnly = isLoopback(host);
        List<String> brokerUris = loaded.list("broker");
        RedisBroker redis = brokerUris.isEmpty() ? null : new RedisBroker(RedisBrokerOptions.builder().uris(brokerUris).build());
        if (redis != null) {
            log.info("Broker: Redis at " + String.join(", ", brokerUris.stream().map(ServeCommand::withoutPassword).toList())
                    + " (channels, history and presence shared with every node on it)");
        }
        HubServer started;
        try {
            started = HubServer.builder()
                    .broker(redis)
                    .config(withBuiltInNamespaces(loaded.hubConfig(), withDashboard, withDemo, loopbackOnly))
                    .httpFallback(withDashboard ? new StaticFiles(null) : null)
                    .address(new InetSocketAddress(host, loaded.integer("port")))
                    .options(loaded.webSocketOptions())
                    .customize(ws -> {
                        if (tls != null) {
                            ws.tls(tls.context());
                        }
                        ws.route("/echo", EchoListener.INSTANCE);
                        if (withBroadcast) {
                            ws.route("/broadcast", new BroadcastListener());
                        }
                        ws.eventLoops(loaded.integer("event_loops"));
                    })
                    .start();
        } catch (RuntimeException e) {
            if (redis != null) {
                redis.close();
            }
            throw e;
        }
        this.server = started;
        this.broker = redis;
        if (withDemo) {
            started.closeWith(DeviceFleet.start(started.hub(), Duration.ofSeconds(1)));
        }
        if (withDashboard) {
            started.closeWith(HubStatsPublisher.start(started.hub(), HubStatsPublisher.CHANNEL, Duration.ofSeconds(1)));
        }
        if (tls != null) {
            tls.describe().forEach(log::info);
        }
        InetSocketAddress bound = started.webSocketServer().address();
        boolean wildcard = bound.getAddress().isAnyLocalAddress();
        // A wildcard socket is dual-stack and reports itself as ::; say what was asked for (0.0.0.0).
        String boundHost = wildcard ? host : bound.getAddress().getHostAddress();
        String display = wildcard || loopbackOnly ? "localhost" : boundHost.contains(":") ? "[" + boundHost + "]" : boundHost;
        String base = started.webSocketServer().scheme() + "://" + display + ":" + started.port();
        String http = (tls != null ? "https" : "http") + "://" + display + ":" + started.port();
        log.info("Listening on " + (boundHost.contains(":") ? "[" + boundHost + "]" : boundHost) + ":" + started.port()
                + (loopbackOnly ? " (this machine only; --host 0.0.0.0 opens it to the network)"
                : wildcard ? " (every interface: other machines can connect)" : " (other machines can connect)"));
        log.info("Hub listening on " + base + HubServer.PATH + " (subprotocols duplex.v1.json, duplex.v1.msgpack); also "
                + base + "/echo" + (withBroadcast ? " and " + base + "/broadcast" : "") + " (Ctrl+C to stop)");
        HubConfig hub = started.hub().config(); // with the dashboard's and the devices' namespaces
        log.info("Hub: " + (hub.anonymous() ? "anonymous connections allowed" : "a token is required to connect")
                + "; token keys: " + tokenKeys(loaded) + "; namespaces: "
                + (hub.namespaces().isEmpty() ? "only the default (channels without ':')"
                : "the default and " + String.join(", ", new java.util.TreeSet<>(hub.namespaces().keySet()))));
        log.info("Health: " + http + "/health, " + http + "/ready, metrics: " + http + "/metrics");
        log.info(withDashboard ? "Dashboard: " + http + "/ (browser client: " + http + "/duplex.js)"
                + (withDemo ? "; simulated devices publishing (--no-demo to stop them)" : "; no simulated devices")
                : "Dashboard off" + (withDemo ? "; simulated devices publishing" : ""));
        log.info(hub.apiKey() != null
                ? "HTTP API on: " + http + "/api/ (publish, broadcast, presence, history, disconnect, channels, stats; "
                + "send Authorization: apikey KEY)"
                : "HTTP API off: to turn on " + http + "/api/publish and the rest, set api_key (16+ characters) in a "
                + "configuration file or the DUPLEX_API_KEY environment variable");
        if (!loopbackOnly) {
            List<String> open = anonymouslyWritable(hub);
            if (!open.isEmpty()) {
                log.warning("Other machines can reach this hub, and anonymous connections may publish to "
                        + String.join(", ", open) + ". Set hub.anonymous: false, or publish: user (or nobody) for those "
                        + "namespaces, or listen on 127.0.0.1 (--host 127.0.0.1).");
            }
            if (withBroadcast) {
                log.warning("/broadcast relays every message of any client to every other: meant for benchmarks on a "
                        + "private network, not for machines others can reach.");
            }
        }
        return started;
    }

    /** Closes the Redis broker, if any, once the server is closed. */
    void closeBroker() {
        RedisBroker b = broker;
        broker = null;
        if (b != null) {
            b.close();
        }
    }

    /** A URI as the log may show it: without a password. */
    static String withoutPassword(String uri) {
        return uri.replaceAll("(://)[^@/]*@", "$1***@");
    }

    /**
     * Graceful shutdown: the hub admits no one new and tells its clients to reconnect elsewhere
     * (disconnect 3000 with a retry hint, close code 1001), spread over {@code hub.drain_window};
     * then the server closes the rest with 1001. What Ctrl+C and SIGTERM run.
     */
    void shutdown() {
        HubServer s = server;
        if (s == null) {
            return;
        }
        server = null;
        ServeLog log = new ServeLog(err);
        Duration window = s.hub().config().drainWindow();
        int hubConnections = s.hub().connectionCount();
        log.info("Shutting down: draining " + hubConnections + (hubConnections == 1 ? " hub connection" : " hub connections") + " over "
                + dev.duplex.server.config.Units.formatDuration(window) + " (disconnect 3000, close 1001), then 1001 to "
                + Math.max(0, s.webSocketServer().connectionCount() - hubConnections) + " other connections");
        s.drainAndClose(config.duration("close_timeout"));
        closeBroker();
        log.info("Stopped");
    }

    /**
     * The namespaces the dashboard and the simulated devices publish to, added unless the
     * configuration defines a namespace of the same name (then the configuration wins).
     */
    static HubConfig withBuiltInNamespaces(HubConfig config, boolean dashboard, boolean demo, boolean loopbackOnly) {
        HubConfig.Builder b = config.toBuilder();
        if (dashboard) {
            b.frameTrace(true); // the connection inspector shows a connection's real frames
            if (!config.namespaces().containsKey("hub")) {
                b.namespace("hub", HubStatsPublisher.namespace());
            }
        }
        if (demo) {
            DeviceFleet.namespaces().forEach((name, ns) -> {
                if (!config.namespaces().containsKey(name)) {
                    // Beyond this machine, commanding a device takes a user token, not just a connection.
                    b.namespace(name, name.equals(DeviceFleet.COMMANDS) && !loopbackOnly && ns.publish() == Access.ANYONE
                            ? ns.toBuilder().publish(Access.USER).build() : ns);
                }
            });
        }
        return b.build();
    }

    /** The namespaces anonymous connections may publish to, by name ("the default" for channels without ':'). */
    static List<String> anonymouslyWritable(HubConfig hub) {
        List<String> open = new ArrayList<>();
        if (!hub.anonymous()) {
            return open;
        }
        if (hub.defaultNamespace().publish() == Access.ANYONE) {
            open.add("the default namespace");
        }
        new java.util.TreeMap<>(hub.namespaces()).forEach((name, ns) -> {
            if (ns.publish() == Access.ANYONE) {
                open.add(name + ":");
            }
        });
        return open;
    }

    /** Whether {@code host} names only this machine (127.0.0.1, ::1, localhost). */
    static boolean isLoopback(String host) {
        try {
            java.net.InetAddress[] all = java.net.InetAddress.getAllByName(host);
            for (java.net.InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (java.net.UnknownHostException e) {
            return false; // listening fails with its own message
        }
    }

    private static String overrides(ServeConfig loaded) {
        List<String> sources = new ArrayList<>(loaded.sources());
        if (loaded.file() != null) {
            sources.remove(loaded.file().toString());
        }
        return sources.isEmpty() ? "" : "; overridden by " + String.join(", ", sources);
    }

    private static String tokenKeys(ServeConfig loaded) {
        List<String> keys = new ArrayList<>();
        if (loaded.string("tokens.hmac_secret") != null) {
            keys.add("HS256 secret");
        }
        int publicKeys = loaded.list("tokens.public_keys").size();
        if (publicKeys > 0) {
            keys.add(publicKeys + (publicKeys == 1 ? " public key" : " public keys"));
        }
        return keys.isEmpty() ? "none" : String.join(", ", keys);
    }

    /** The TLS the configuration asks for, or null; exactly one source may be given. */
    private static ServerTls loadTls(ServeConfig config) {
        Path cert = config.path("tls_cert");
        Path key = config.path("tls_key");
        Path keystore = config.path("tls_keystore");
        String password = config.string("tls_keystore_password");
        boolean selfSigned = config.bool("tls_self_signed");
        int sources = (cert != null || key != null ? 1 : 0) + (keystore != null ? 1 : 0) + (selfSigned ? 1 : 0);
        if (sources > 1) {
            throw new TlsSetupException("Choose one TLS source: tls_cert with tls_key (--tls-cert, --tls-key), "
                    + "tls_keystore (--tls-keystore), or tls_self_signed (--tls-self-signed)");
        }
        if (cert != null || key != null) {
            if (cert == null || key == null) {
                throw new TlsSetupException("tls_cert and tls_key (--tls-cert, --tls-key) go together: the certificate chain "
                        + "and its private key");
            }
            return ServerTls.fromPem(cert, key);
        }
        if (keystore != null) {
            return ServerTls.fromPkcs12(keystore, password == null ? new char[0] : password.toCharArray());
        }
        if (password != null && !password.isEmpty()) {
            throw new TlsSetupException("tls_keystore_password (DUPLEX_TLS_KEYSTORE_PASSWORD) needs tls_keystore (--tls-keystore)");
        }
        if (selfSigned) {
            return ServerTls.selfSigned(new File(System.getProperty("java.io.tmpdir")).toPath());
        }
        return null;
    }

    /** Shows each flag's default, from the configuration schema, in {@code --help}. */
    static final class SettingDefaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            Setting s = settingOf(arg);
            if (s == null || s.defaultValue() == null || s.kind() == Setting.Kind.LIST || s.kind() == Setting.Kind.BOOLEAN) {
                return null;
            }
            String formatted = s.format(s.defaultValue());
            return s.kind() == Setting.Kind.STRING ? (String) s.defaultValue() : formatted;
        }
    }
}
