package dev.duplex.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.server.config.ConfigLoader.Flag;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration file, environment variables and flags of duplex serve: merging, validation, messages. */
class ConfigLoaderTest {
    /** The repository root, from the module directory the tests run in. */
    private static final Path EXAMPLE = Path.of("..", "duplex.example.yaml");
    private static final Path CONFIGURATION_PAGE = Path.of("..", "docs", "hub-configuration.md");
    private static final String KEY = "an-api-key-of-some-length";

    @TempDir
    Path dir;

    private static ServeConfig load(Path file) throws ConfigException {
        return new ConfigLoader(Map.of()).load(file, List.of());
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("duplex.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** The problems of loading {@code yaml} (which must fail). */
    private List<String> problems(String yaml) throws Exception {
        return problems(yaml, Map.of(), List.of());
    }

    private List<String> problems(String yaml, Map<String, String> env, List<Flag> flags) throws Exception {
        Path file = write(yaml);
        try {
            new ConfigLoader(env).load(file, flags);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("Loaded without a problem:\n" + yaml);
    }

    // ------------------------------------------------------------------ the example file

    @Test
    void theExampleFileHasEveryKeyAtItsDefault() throws Exception {
        ServeConfig example = load(EXAMPLE);
        for (Setting s : Settings.GLOBAL) {
            ServeConfig.Value v = example.get(s.key());
            if (s.defaultValue() != null) { // "key: null" keeps the default (the comments test sees those keys)
                assertThat(v.source().kind()).as("%s is in the example file", s.key()).isEqualTo(Source.Kind.FILE);
            }
            assertThat(v.value()).as("%s is at its default in the example file", s.key()).isEqualTo(s.defaultValue());
        }
        for (Setting s : Settings.NAMESPACE) {
            ServeConfig.Value v = example.defaultNamespace().get(s.key());
            assertThat(v.source().kind()).as("default_namespace.%s is in the example file", s.key()).isEqualTo(Source.Kind.FILE);
            assertThat(v.value()).as("default_namespace.%s is at its default", s.key()).isEqualTo(s.defaultValue());
        }
        assertThat(example.namespaces()).isEmpty();
        assertSameHubConfig(example.hubConfig(), HubConfig.defaults());
        assertSameHubConfig(load(null).hubConfig(), HubConfig.defaults());
    }

    @Test
    void theExampleFileCommentsAreTheSettingsDescriptions() throws Exception {
        Pattern line = Pattern.compile("^\\s*([a-z_]+): (.+?)\\s+# (.+)$");
        Map<String, String> comments = new LinkedHashMap<>();
        String section = "";
        for (String text : Files.readAllLines(EXAMPLE)) {
            if (text.matches("^[a-z_]+:\\s*$")) {
                section = text.substring(0, text.indexOf(':'));
                continue;
            }
            Matcher m = line.matcher(text);
            if (m.matches()) {
                String key = text.startsWith(" ") ? section + "." + m.group(1) : m.group(1);
                comments.put(key, m.group(3));
            }
        }
        for (Setting s : Settings.GLOBAL) {
            assertThat(comments.get(s.key())).as("comment of %s", s.key()).isEqualTo(s.description());
        }
        for (Setting s : Settings.NAMESPACE) {
            assertThat(comments.get("default_namespace." + s.key())).as("comment of %s", s.key()).isEqualTo(s.description());
        }
    }

    @Test
    void theExampleFilesNamespacesLoadOnceUncommented() throws Exception {
        List<String> lines = new ArrayList<>();
        boolean inExample = false;
        for (String text : Files.readAllLines(EXAMPLE)) {
            if (text.equals("namespaces: {}")) {
                lines.add("namespaces:");
                inExample = true;
            } else if (inExample && text.startsWith("#  ")) {
                lines.add(text.substring(1));
            } else {
                lines.add(text);
            }
        }
        ServeConfig config = load(write(String.join("\n", lines)));
        assertThat(config.namespaces()).containsOnlyKeys("chat", "sensors");
        NamespaceConfig chat = config.hubConfig().namespaces().get("chat");
        assertThat(chat.historySize()).isEqualTo(500);
        assertThat(chat.historyTtl()).isEqualTo(Duration.ofHours(1));
        NamespaceConfig sensors = config.hubConfig().namespaces().get("sensors");
        assertThat(sensors.mode()).isEqualTo(dev.duplex.hub.DeliveryMode.LATEST);
        assertThat(sensors.slowConsumer()).isEqualTo(dev.duplex.hub.SlowConsumerPolicy.LATEST_PER_KEY);
        assertThat(sensors.publish()).isEqualTo(dev.duplex.hub.Access.NOBODY);
        assertThat(sensors.historySize()).as("the rest: defaults").isEqualTo(100);
    }

    @Test
    void everyHubAndNamespaceOptionHasAKey() {
        Set<String> structural = Set.of("apiKey", "tokens", "defaultNamespace", "namespaces");
        for (Method m : HubConfig.class.getDeclaredMethods()) {
            if (isGetter(m) && !structural.contains(m.getName())) {
                assertThat(Settings.global("hub." + snake(m.getName())))
                        .as("HubConfig.%s() has the key hub.%s", m.getName(), snake(m.getName())).isNotNull();
            }
        }
        for (Method m : NamespaceConfig.class.getDeclaredMethods()) {
            if (isGetter(m) && !m.getName().equals("historyOptions")) {
                assertThat(Settings.namespace(snake(m.getName())))
                        .as("NamespaceConfig.%s() has the key %s", m.getName(), snake(m.getName())).isNotNull();
            }
        }
    }

    @Test
    void theConfigurationPageDocumentsEveryKeyWithItsDefault() throws Exception {
        String page = Files.readString(CONFIGURATION_PAGE);
        for (Setting s : Settings.GLOBAL) {
            assertThat(page).as("docs/hub-configuration.md row of %s", s.key())
                    .contains("| `" + s.key() + "` | " + documentedDefault(s) + " |");
        }
        for (Setting s : Settings.NAMESPACE) {
            assertThat(page).as("docs/hub-configuration.md row of namespace key %s", s.key())
                    .contains("| `" + s.key() + "` | " + documentedDefault(s) + " |");
        }
    }

    private static String documentedDefault(Setting s) {
        if (s.defaultValue() == null) {
            return "unset";
        }
        if (s.kind() == Setting.Kind.LIST) {
            return "`[]`";
        }
        return "`" + (s.kind() == Setting.Kind.STRING ? s.defaultValue() : s.format(s.defaultValue())) + "`";
    }

    @Test
    void environmentVariableNamesAreDistinct() {
        Set<String> names = new HashSet<>();
        for (Setting s : Settings.GLOBAL) {
            assertThat(names.add(s.environmentVariable())).as(s.environmentVariable()).isTrue();
        }
        for (Setting s : Settings.NAMESPACE) {
            assertThat(names.add(ConfigLoader.namespaceVariable(s))).as(ConfigLoader.namespaceVariable(s)).isTrue();
        }
        assertThat(names).contains("DUPLEX_PORT", "DUPLEX_API_KEY", "DUPLEX_TOKENS_HMAC_SECRET", "DUPLEX_HUB_HEARTBEAT",
                "DUPLEX_DEFAULT_NAMESPACE_HISTORY_SIZE");
    }

    // ------------------------------------------------------------------ problems

    @Test
    void anUnknownKeyIsNamedWithItsLineAndTheClosestKnownOne() throws Exception {
        Path file = write("# a comment\nport: 8080\nhub:\n  hearbeat: 25s\nheartbeat: 30s\nnamespaces:\n  chat:\n    histroy_size: 5\n");
        assertThat(problems(Files.readString(file))).containsExactly(
                "unknown key 'hub.hearbeat' in " + file + " line 4 (did you mean 'heartbeat'?)",
                "unknown key 'heartbeat' in " + file + " line 5 (did you mean 'hub.heartbeat'?)",
                "unknown key 'namespaces.chat.histroy_size' in " + file + " line 8 (did you mean 'history_size'?)");
        assertThat(problems("flux_capacitor: 1\n")).containsExactly(
                "unknown key 'flux_capacitor' in " + dir.resolve("duplex.yaml") + " line 1");
    }

    @Test
    void wrongTypesSayWhatWasExpected() throws Exception {
        String file = dir.resolve("duplex.yaml").toString();
        assertThat(problems(String.join("\n",
                "port: eighty",
                "allowed_origins: {a: b}",
                "hub:",
                "  anonymous: maybe",
                "  heartbeat: 25",
                "  commands_per_second: fast",
                "tokens: 5",
                "max_message_size: 1 parsec",
                "default_namespace:",
                "  mode: newest",
                "  history_size: 1.5",
                "namespaces:",
                "  chat: [1, 2]",
                ""))).containsExactly(
                "invalid value for 'port' in " + file + " line 1: expected a whole number from 0 to 65535, got 'eighty'",
                "invalid value for 'allowed_origins' in " + file + " line 2: expected a list, got a mapping (key: value lines)",
                "invalid value for 'hub.anonymous' in " + file + " line 4: expected true or false, got 'maybe'",
                "invalid value for 'hub.heartbeat' in " + file + " line 5: expected a duration with a unit, such as 25s or 25ms, "
                        + "got the plain number 25",
                "invalid value for 'hub.commands_per_second' in " + file + " line 6: expected a positive number, got 'fast'",
                "'tokens' in " + file + " line 7 must hold keys and values (key: value), not '5'",
                "invalid value for 'max_message_size' in " + file + " line 8: expected a size such as 65536, 64KiB or 1MiB, "
                        + "got '1 parsec'",
                "invalid value for 'default_namespace.mode' in " + file + " line 10: expected one of stream, latest, got 'newest'",
                "invalid value for 'default_namespace.history_size' in " + file + " line 11: expected a whole number of at least 0, "
                        + "got '1.5'",
                "'namespaces.chat' in " + file + " line 13 must hold keys and values (key: value), not a list");
    }

    @Test
    void outOfRangeValuesAndTheBuildersOwnChecksNameTheKey() throws Exception {
        String file = dir.resolve("duplex.yaml").toString();
        assertThat(problems(String.join("\n",
                "port: 70000",
                "max_fragments: 0",
                "api_key: too-short",
                "allowed_origins: [\"app.example.com\"]",
                "hub:",
                "  heartbeat: 0s",
                "  max_queued_bytes: 512",
                "tokens:",
                "  hmac_secret: short",
                "namespaces:",
                "  \"bad name\":",
                "    history_ttl: 0ms",
                ""))).containsExactly(
                "invalid value for 'port' in " + file + " line 1: expected a whole number from 0 to 65535, got 70000",
                "invalid value for 'max_fragments' in " + file + " line 2: expected a whole number of at least 1, got 0",
                "invalid value for 'hub.heartbeat' in " + file + " line 6: must be positive, got 0s",
                "invalid value for 'hub.max_queued_bytes' in " + file + " line 7: expected a size of at least 1KiB, got 512",
                "invalid value for 'namespaces.bad name.history_ttl' in " + file + " line 12: must be positive, got 0ms",
                "invalid value for 'api_key' in " + file + " line 3: the API key must be at least 16 characters long",
                "invalid value for 'tokens.hmac_secret' in " + file
                        + " line 9: The HMAC secret must be at least 32 bytes (256 bits) for HS256; it has 5",
                "invalid namespace name 'bad name' in " + file + " line 11: namespace names are 1–64 letters, digits, '-', '_' or '.': 'bad name'",
                "invalid value for 'allowed_origins' in " + file
                        + " line 4: An allowed origin is scheme://host[:port] or scheme://*.domain[:port], not: app.example.com");
    }

    /** Regression (security review 2026-12, finding 10): the documentation's example API key was accepted. */
    @Test
    void theDocumentationsExampleApiKeyIsRefused() throws Exception {
        String file = dir.resolve("duplex.yaml").toString();
        assertThat(problems("api_key: change-me-to-a-long-secret\n")).containsExactly("invalid value for 'api_key' in " + file
                + " line 1: this is the documentation's example key; choose your own, for example with: openssl rand -hex 24");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new ConfigLoader(Map.of("DUPLEX_API_KEY", "change-me-to-a-long-secret")).load(null, List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("documentation's example key");
        assertThat(problems("tokens:\n  hmac_secret: at-least-32-bytes-of-secret-for-hs256-tokens\n")).singleElement()
                .asString().contains("documentation's example secret");
    }

    @Test
    void settingsThatCannotWorkTogetherAreRefused() throws Exception {
        String file = dir.resolve("duplex.yaml").toString();
        assertThat(problems("hub:\n  anonymous: false\nnamespaces:\n  private:\n    subscribe: user\n")).containsExactly(
                "'hub.anonymous' is false (" + file + " line 2) but no token keys are configured (tokens.hmac_secret or "
                        + "tokens.public_keys): no client could connect",
                "'namespaces.private.subscribe' is 'user' (" + file + " line 5) but no token keys are configured "
                        + "(tokens.hmac_secret or tokens.public_keys): no connection could subscribe (use 'nobody' to leave it "
                        + "to the HTTP API)");
        // With a key, both are fine.
        ServeConfig ok = load(write("hub:\n  anonymous: false\ntokens:\n  hmac_secret: " + "s".repeat(32)
                + "\nnamespaces:\n  private:\n    subscribe: user\n"));
        assertThat(ok.hubConfig().anonymous()).isFalse();
        assertThat(ok.hubConfig().tokens()).isNotNull();
    }

    @Test
    void unreadableFilesAndBadYaml() throws Exception {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> load(missing)).isInstanceOf(ConfigException.class)
                .hasMessage("cannot read the configuration file " + missing + ": it does not exist");
        String file = dir.resolve("duplex.yaml").toString();
        assertThat(problems("port: 1\nhost: a\nport: 2\n")).containsExactly(
                "duplicate key 'port' (first at line 1) in " + file + " line 3");
        assertThat(problems("port: 1\nhub:\n  heartbeat: [\n")).singleElement().asString()
                .startsWith("YAML syntax error: ").contains(" in " + file + " line ");
        assertThat(problems("- port\n- host\n")).containsExactly(
                file + " must hold keys and values (key: value), not a list");
        assertThat(problems("port: 1\n---\nport: 2\n")).containsExactly(
                "a second YAML document (only one is read) in " + file + " line 3");
        assertThat(load(write("")).integer("port")).as("an empty file is the defaults").isEqualTo(8080);
        assertThat(load(write("api_key:\nhub:\n")).string("api_key")).as("empty values are the defaults").isNull();
    }

    // ------------------------------------------------------------------ precedence

    @Test
    void flagsWinOverTheEnvironmentWhichWinsOverTheFile() throws Exception {
        Path file = write("port: 1000\nhost: 127.0.0.1\nmax_headers: 10\nhub:\n  heartbeat: 10s\n");
        Map<String, String> env = Map.of(
                "DUPLEX_PORT", "2000",
                "DUPLEX_MAX_HEADERS", "20",
                "DUPLEX_API_KEY", KEY,
                "DUPLEX_TOKENS_HMAC_SECRET", "h".repeat(32),
                "DUPLEX_ALLOWED_ORIGINS", "https://a.example, https://*.b.example",
                "DUPLEX_DEFAULT_NAMESPACE_HISTORY_SIZE", "7",
                "DUPLEX_HUB_DRAIN_WINDOW", "",              // empty: ignored
                "DUPLEX_HUB_HEARTBAET", "1s",               // misspelt: a warning, not an error
                "PATH", "/usr/bin");
        ServeConfig config = new ConfigLoader(env).load(file, List.of(
                new Flag("--max-headers", "30"), new Flag("--handshake-timeout", "3"), new Flag("--compression", true),
                new Flag("--allowed-origin", List.of("https://c.example"))));
        assertThat(config.integer("port")).isEqualTo(2000);
        assertThat(config.get("port").source().describe()).isEqualTo("environment variable DUPLEX_PORT");
        assertThat(config.string("host")).isEqualTo("127.0.0.1");
        assertThat(config.get("host").source().describe()).isEqualTo(file + " line 2");
        assertThat(config.integer("max_headers")).isEqualTo(30);
        assertThat(config.get("max_headers").source().describe()).isEqualTo("option --max-headers");
        assertThat(config.duration("handshake_timeout")).as("a plain number of seconds on the command line")
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(config.bool("compression")).isTrue();
        assertThat(config.webSocketOptions().compression()).isTrue();
        assertThat(config.list("allowed_origins")).containsExactly("https://c.example");
        assertThat(config.webSocketOptions().allowedOrigins()).containsExactly("https://c.example");
        assertThat(config.hubConfig().apiKey()).isEqualTo(KEY);
        assertThat(config.hubConfig().tokens()).isNotNull();
        assertThat(config.hubConfig().heartbeat()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.hubConfig().drainWindow()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.hubConfig().defaultNamespace().historySize()).isEqualTo(7);
        assertThat(config.warnings()).containsExactly(
                "ignoring environment variable DUPLEX_HUB_HEARTBAET: no such setting (did you mean DUPLEX_HUB_HEARTBEAT?)");

        ServeConfig lists = new ConfigLoader(Map.of("DUPLEX_ALLOWED_ORIGINS", "https://a.example, https://*.b.example"))
                .load(null, List.of());
        assertThat(lists.list("allowed_origins")).containsExactly("https://a.example", "https://*.b.example");
        assertThat(lists.webSocketOptions().allowedOrigins()).containsExactly("https://a.example", "https://*.b.example");
    }

    @Test
    void badEnvironmentValuesAndFlagsNameTheirSource() throws Exception {
        assertThat(problems("", Map.of("DUPLEX_HUB_HEARTBEAT", "soon", "DUPLEX_COMPRESSION", "perhaps"),
                List.of(new Flag("--port", "-1"), new Flag("--max-message-size", "2 MiB or so")))).containsExactly(
                "invalid value for 'compression' in environment variable DUPLEX_COMPRESSION: expected true or false, got 'perhaps'",
                "invalid value for 'hub.heartbeat' in environment variable DUPLEX_HUB_HEARTBEAT: expected a duration such as 10s, "
                        + "500ms, 5m or 1h30m, got 'soon'",
                "invalid value for 'port' in option --port: expected a whole number from 0 to 65535, got -1",
                "invalid value for 'max_message_size' in option --max-message-size: expected a size such as 65536, 64KiB or "
                        + "1MiB, got '2 MiB or so'");
    }

    // ------------------------------------------------------------------ values

    @Test
    void durationsAndSizes() {
        assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Units.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Units.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Units.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Units.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Units.parseDuration("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Units.parseDuration("0")).isZero();
        assertThatThrownBy(() -> Units.parseDuration("10")).hasMessageContaining("expected a duration");
        assertThatThrownBy(() -> Units.parseDuration("10 parsecs")).hasMessageContaining("expected a duration");
        assertThatThrownBy(() -> Units.parseDuration("0.5ms")).hasMessageContaining("not a whole number of milliseconds");
        assertThat(Units.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Units.formatDuration(Duration.ofMinutes(120))).isEqualTo("2h");
        assertThat(Units.formatDuration(Duration.ZERO)).isEqualTo("0s");

        assertThat(Units.parseSize("65536")).isEqualTo(65_536);
        assertThat(Units.parseSize("64KiB")).isEqualTo(65_536);
        assertThat(Units.parseSize("1 MiB")).isEqualTo(1 << 20);
        assertThat(Units.parseSize("1.5KiB")).isEqualTo(1536);
        assertThat(Units.parseSize("2MB")).isEqualTo(2_000_000);
        assertThat(Units.parseSize("1gib")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> Units.parseSize("1.5B")).hasMessageContaining("not a whole number of bytes");
        assertThatThrownBy(() -> Units.parseSize("lots")).hasMessageContaining("expected a size");
        assertThat(Units.formatSize(16L << 20)).isEqualTo("16MiB");
        assertThat(Units.formatSize(65_536)).isEqualTo("64KiB");
        assertThat(Units.formatSize(1000)).isEqualTo("1000");
    }

    @Test
    void publicKeysFromPemTextOrFilesRelativeToTheConfigurationFile() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys/ec.pem"), pem);
        ServeConfig fromFile = load(write("tokens:\n  public_keys:\n    - file:keys/ec.pem\n  require_expiry: true\n"));
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), new JWTClaimsSet.Builder().subject("ann")
                .expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).build());
        jwt.sign(new ECDSASigner((ECPrivateKey) keys.getPrivate()));
        assertThat(fromFile.hubConfig().tokens().verifyConnection(jwt.serialize(), System.currentTimeMillis()).user())
                .isEqualTo("ann");

        ServeConfig inline = load(write("tokens:\n  public_keys:\n    - |\n"
                + pem.lines().map(l -> "      " + l).reduce((a, b) -> a + "\n" + b).orElseThrow() + "\n"));
        assertThat(inline.hubConfig().tokens().verifyConnection(jwt.serialize(), System.currentTimeMillis()).user())
                .isEqualTo("ann");

        String file = dir.resolve("duplex.yaml").toString();
        assertThat(problems("tokens:\n  public_keys: [\"file:missing.pem\", \"keys/ec.pem\"]\n")).containsExactly(
                "invalid value for 'tokens.public_keys[1]' in " + file + " line 2: the file " + dir.resolve("missing.pem")
                        + " does not exist",
                "invalid value for 'tokens.public_keys[2]' in " + file + " line 2: Expected a PEM public key starting with "
                        + "-----BEGIN PUBLIC KEY----- (for a file, write file:keys/ec.pem)");
    }

    @Test
    void aLineBreakInAValueDoesNotSplitItsProblem() throws Exception {
        // Found by ConfigLoaderFuzzTest: the quoted value came through with its line breaks.
        String file = dir.resolve("duplex.yaml").toString();
        assertThat(problems("tokens:\n  public_keys: [\"file:a\\nfake: line\"]\n", Map.of("DUPLEX_PORT", "80\n80"), List.of()))
                .containsExactly(
                        "invalid value for 'port' in environment variable DUPLEX_PORT: expected a whole number from 0 to 65535,"
                                + " got '80\\n80'",
                        "invalid value for 'tokens.public_keys[1]' in " + file + " line 2: the file " + dir.resolve("a\nfake: line")
                                .toString().replace("\n", "\\n") + " does not exist");
    }

    @Test
    void aFlagOfTooManySecondsIsAProblem() throws Exception {
        // Found by ConfigLoaderFuzzTest: 10^16 seconds and more overflowed Duration.toMillis() (ArithmeticException).
        assertThat(problems("", Map.of(), List.of(new Flag("--idle-timeout", "1223372036854775808"),
                new Flag("--ping-interval", "99999999999999999999999"), new Flag("--close-timeout", "9223372036"))))
                .containsExactly(
                        "invalid value for 'idle_timeout' in option --idle-timeout: '1223372036854775808s' is too long",
                        "invalid value for 'ping_interval' in option --ping-interval: '99999999999999999999999s' is too long");
    }

    @Test
    void tlsPathsInTheFileAreRelativeToIt() throws Exception {
        ServeConfig config = load(write("tls_cert: certs/server.pem\ntls_key: /etc/key.pem\n"));
        assertThat(config.path("tls_cert")).isEqualTo(dir.toAbsolutePath().resolve("certs/server.pem"));
        assertThat(config.path("tls_key")).isEqualTo(Path.of("/etc/key.pem"));
        ServeConfig fromFlag = new ConfigLoader(Map.of()).load(null, List.of(new Flag("--tls-cert", "certs/server.pem")));
        assertThat(fromFlag.path("tls_cert")).isEqualTo(Path.of("certs/server.pem"));
    }

    @Test
    void printedConfigurationLoadsBackToTheSameValues() throws Exception {
        ServeConfig original = new ConfigLoader(Map.of("DUPLEX_HUB_HEARTBEAT", "40s")).load(write(String.join("\n",
                "port: 9000",
                "allowed_origins: [\"https://app.example\"]",
                "max_message_size: 3MiB",
                "handshake_timeout: 1500ms",
                "hub:",
                "  commands_per_second: 12.5",
                "default_namespace:",
                "  slow_consumer: drop_oldest",
                "namespaces:",
                "  chat:",
                "    history_size: 3",
                "  sensors:",
                "    mode: latest",
                "")), List.of(new Flag("--host", "127.0.0.1")));
        String yaml = original.toYaml();
        assertThat(yaml).contains("port: 9000", "# " + dir.resolve("duplex.yaml") + ":1", "# DUPLEX_HUB_HEARTBEAT", "# --host");
        Path printed = dir.resolve("printed.yaml");
        Files.writeString(printed, yaml);
        ServeConfig reloaded = load(printed);
        for (Setting s : Settings.GLOBAL) {
            assertThat(reloaded.get(s.key()).value()).as(s.key()).isEqualTo(original.get(s.key()).value());
        }
        for (Setting s : Settings.NAMESPACE) {
            assertThat(reloaded.defaultNamespace().get(s.key()).value()).as(s.key())
                    .isEqualTo(original.defaultNamespace().get(s.key()).value());
        }
        assertThat(reloaded.namespaces().keySet()).containsExactly("chat", "sensors");
        assertThat(reloaded.namespaces().get("chat").values().get("history_size").value()).isEqualTo(3);
        assertThat(reloaded.namespaces().get("sensors").values().get("mode").value()).isEqualTo("latest");
    }

    // ------------------------------------------------------------------ helpers

    private static boolean isGetter(Method m) {
        return Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                && !m.getName().equals("toBuilder") && !m.getName().equals("hashCode") && !m.getName().equals("toString")
                && m.getReturnType() != void.class;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** Every getter of the two configurations gives the same value (namespaces compared getter by getter too). */
    private static void assertSameHubConfig(HubConfig actual, HubConfig expected) throws Exception {
        for (Method m : HubConfig.class.getDeclaredMethods()) {
            if (!isGetter(m)) {
                continue;
            }
            Object a = m.invoke(actual);
            Object e = m.invoke(expected);
            if (a instanceof NamespaceConfig na) {
                assertSameNamespace(na, (NamespaceConfig) e);
            } else {
                assertThat(a).as("HubConfig.%s()", m.getName()).isEqualTo(e);
            }
        }
    }

    private static void assertSameNamespace(NamespaceConfig actual, NamespaceConfig expected) throws Exception {
        for (Method m : NamespaceConfig.class.getDeclaredMethods()) {
            if (isGetter(m)) {
                assertThat(m.invoke(actual)).as("NamespaceConfig.%s()", m.getName()).isEqualTo(m.invoke(expected));
            }
        }
    }
}
