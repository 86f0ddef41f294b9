package dev.duplex.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
 *
 * <p>The work is split in two: {@link ConfigFileReader}, {@link EnvironmentReader} and
 * {@link FlagReader} merge the sources into {@link ConfigValues} (each value with its
 * {@link Source}); {@link ServeConfigBuilder} builds the typed configuration from them, with
 * {@link TokenSettings} and {@link NamespaceSettings}, and checks keys against each other. Both
 * halves add to one {@link ConfigProblems}.
 */
public final class ConfigLoader {
    /** Names the configuration file when {@code --config} is not given. */
    public static final String CONFIG_VARIABLE = "DUPLEX_CONFIG";
    /** Secrets printed in the documentation (API keys, HMAC secrets): refused as real ones. */
    static final Set<String> DOCUMENTED_SECRETS = Set.of("change-me-to-a-long-secret",
            "at-least-32-bytes-of-secret-for-hs256-tokens");

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
        ConfigValues values = new ConfigValues(file);
        ConfigProblems problems = new ConfigProblems();
        if (file != null) {
            new ConfigFileReader(values, problems).read();
        }
        new EnvironmentReader(values, problems).read(environment);
        new FlagReader(values, problems).read(flags);
        // Built even after errors (with defaults in place of the bad values), so that the
        // builders' checks report their problems in the same run.
        return new ServeConfigBuilder(values, problems).build();
    }

    /** {@code DUPLEX_DEFAULT_NAMESPACE_HISTORY_SIZE}: the default namespace's keys in the environment. */
    public static String namespaceVariable(Setting s) {
        return "DUPLEX_" + (Settings.DEFAULT_NAMESPACE + "_" + s.key()).toUpperCase(Locale.ROOT);
    }
}
