package dev.duplex.server.config;

import dev.duplex.hub.HubConfig;
import dev.duplex.websocket.WebSocketOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effective configuration of {@code duplex serve}: every key's value and where it came from
 * (default, file line, environment variable, flag), and the objects built from them, all validated.
 * Made by {@link ConfigLoader}.
 */
public final class ServeConfig {

    /** A value and its source. */
    public record Value(Object value, Source source) {
    }

    /** A namespace of the file: where it is declared and its keys. */
    public record Namespace(int line, Map<String, Value> values) {
    }

    private final Path file;
    private final Path baseDirectory;
    private final Map<String, Value> global;
    private final Map<String, Value> defaultNamespace;
    private final Map<String, Namespace> namespaces;
    private final HubConfig hub;
    private final WebSocketOptions webSocketOptions;
    private final List<String> warnings;

    ServeConfig(Path file, Path baseDirectory, Map<String, Value> global, Map<String, Value> defaultNamespace,
                Map<String, Namespace> namespaces, HubConfig hub, WebSocketOptions webSocketOptions,
                List<String> warnings) {
        this.file = file;
        this.baseDirectory = baseDirectory;
        this.global = Map.copyOf(global);
        this.defaultNamespace = Map.copyOf(defaultNamespace);
        this.namespaces = new LinkedHashMap<>(namespaces);
        this.hub = hub;
        this.webSocketOptions = webSocketOptions;
        this.warnings = List.copyOf(warnings);
    }

    /** The configuration file, or null when there was none. */
    public Path file() {
        return file;
    }

    /** What the hub runs with. */
    public HubConfig hubConfig() {
        return hub;
    }

    /**
     * The WebSocket server's options: limits, timeouts, compression, admission (connection limits,
     * message memory, compression budget) and allowed origins.
     */
    public WebSocketOptions webSocketOptions() {
        return webSocketOptions;
    }

    /** Things worth saying that are not errors (an unknown {@code DUPLEX_*} variable, say). */
    public List<String> warnings() {
        return warnings;
    }

    // ------------------------------------------------------------------ values

    /** The value and source of a global key ({@code port}, {@code hub.heartbeat}). */
    public Value get(String key) {
        Value v = global.get(key);
        if (v == null) {
            throw new IllegalArgumentException("No setting '" + key + "'");
        }
        return v;
    }

    public int integer(String key) {
        return (Integer) get(key).value();
    }

    public long size(String key) {
        return (Long) get(key).value();
    }

    public boolean bool(String key) {
        return (Boolean) get(key).value();
    }

    public String string(String key) {
        return (String) get(key).value();
    }

    public Duration duration(String key) {
        return (Duration) get(key).value();
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String key) {
        return (List<String>) get(key).value();
    }

    /** A path setting, resolved against the file's directory when it was set in the file; null when unset. */
    public Path path(String key) {
        Value v = get(key);
        if (v.value() == null) {
            return null;
        }
        return resolve((String) v.value(), v.source());
    }

    Path resolve(String path, Source source) {
        Path p = Path.of(path);
        return source.kind() == Source.Kind.FILE && baseDirectory != null && !p.isAbsolute()
                ? baseDirectory.resolve(p).normalize() : p;
    }

    /** The default namespace's keys. */
    public Map<String, Value> defaultNamespace() {
        return defaultNamespace;
    }

    /** The configured namespaces in file order. */
    public Map<String, Namespace> namespaces() {
        return namespaces;
    }

    /** Where values other than defaults came from, e.g. {@code ["duplex.yaml", "DUPLEX_API_KEY", "--port"]}, without repeats. */
    public List<String> sources() {
        List<String> sources = new ArrayList<>();
        if (file != null) {
            sources.add(file.toString());
        }
        for (Setting s : Settings.GLOBAL) {
            Source src = global.get(s.key()).source();
            if (src.kind() == Source.Kind.ENVIRONMENT && !sources.contains(src.name())) {
                sources.add(src.name());
            }
        }
        for (Setting s : Settings.NAMESPACE) {
            Source src = defaultNamespace.get(s.key()).source();
            if (src.kind() == Source.Kind.ENVIRONMENT && !sources.contains(src.name())) {
                sources.add(src.name());
            }
        }
        for (Setting s : Settings.GLOBAL) {
            Source src = global.get(s.key()).source();
            if (src.kind() == Source.Kind.COMMAND_LINE && !sources.contains(src.name())) {
                sources.add(src.name());
            }
        }
        return sources;
    }

    // ------------------------------------------------------------------ printing

    /**
     * The effective configuration as YAML, every key, secrets masked; a comment names the source of
     * each value that is not the default. Without secrets it loads back into the same configuration.
     */
    public String toYaml() {
        StringBuilder out = new StringBuilder();
        out.append("# Effective configuration of duplex serve. Precedence: flags > DUPLEX_* environment variables > ")
                .append(file == null ? "configuration file (none)" : file.toString()).append(" > defaults.\n");
        String section = "";
        for (Setting s : Settings.GLOBAL) {
            int dot = s.key().indexOf('.');
            String sectionOf = dot < 0 ? "" : s.key().substring(0, dot);
            if (!sectionOf.equals(section)) {
                out.append(sectionOf).append(":\n");
                section = sectionOf;
            }
            line(out, sectionOf.isEmpty() ? "" : "  ", s, global.get(s.key()));
        }
        out.append(Settings.DEFAULT_NAMESPACE).append(":\n");
        for (Setting s : Settings.NAMESPACE) {
            line(out, "  ", s, defaultNamespace.get(s.key()));
        }
        if (namespaces.isEmpty()) {
            out.append(Settings.NAMESPACES).append(": {}\n");
        } else {
            out.append(Settings.NAMESPACES).append(":\n");
            for (Map.Entry<String, Namespace> ns : namespaces.entrySet()) {
                out.append("  ").append(ns.getKey()).append(":\n");
                for (Setting s : Settings.NAMESPACE) {
                    line(out, "    ", s, ns.getValue().values().get(s.key()));
                }
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String indent, Setting s, Value v) {
        String value = s.isSecret() && v.value() != null ? "\"***\"" : s.format(v.value());
        StringBuilder line = new StringBuilder(indent).append(s.name()).append(": ").append(value);
        if (v.source().kind() != Source.Kind.DEFAULT) {
            while (line.length() < 44) {
                line.append(' ');
            }
            line.append("  # ").append(v.source().shortForm());
        }
        out.append(line).append('\n');
    }
}
