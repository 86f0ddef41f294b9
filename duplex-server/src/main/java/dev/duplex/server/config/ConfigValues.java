package dev.duplex.server.config;

import dev.duplex.server.config.ServeConfig.Namespace;
import dev.duplex.server.config.ServeConfig.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One load's values, each with its {@link Source}: the defaults at first, then overwritten by the
 * file, the environment and the flags in turn, and finally read by {@link ServeConfigBuilder}. This
 * class is not thread safe.
 */
final class ConfigValues {
    final Path file;
    /** The file as given, for messages ("duplex.yaml line 4"); null without a file. */
    final String fileName;
    /** The file's directory, against which paths set in the file are resolved; null without a file. */
    final Path baseDirectory;
    final Map<String, Value> global = new LinkedHashMap<>();
    final Map<String, Value> defaultNamespace = new LinkedHashMap<>();
    final Map<String, Namespace> namespaces = new LinkedHashMap<>();

    ConfigValues(Path file) {
        this.file = file;
        this.fileName = file == null ? null : file.toString();
        this.baseDirectory = file == null ? null : file.toAbsolutePath().getParent();
        for (Setting s : Settings.GLOBAL) {
            global.put(s.key(), new Value(s.defaultValue(), Source.DEFAULT));
        }
        putNamespaceDefaults(defaultNamespace);
    }

    /** Fills {@code values} with every namespace key's default. */
    static void putNamespaceDefaults(Map<String, Value> values) {
        for (Setting s : Settings.NAMESPACE) {
            values.put(s.key(), new Value(s.defaultValue(), Source.DEFAULT));
        }
    }

    /** {@code path} as written; relative paths from the file are taken from the file's directory. */
    Path resolve(String path, Source source) {
        Path p = Path.of(path);
        return source.kind() == Source.Kind.FILE && baseDirectory != null && !p.isAbsolute()
                ? baseDirectory.resolve(p).normalize() : p;
    }

    Source source(String key) {
        return global.get(key).source();
    }

    Object value(String key) {
        return global.get(key).value();
    }

    int integer(String key) {
        return (Integer) value(key);
    }

    long size(String key) {
        return (Long) value(key);
    }

    double rate(String key) {
        return (Double) value(key);
    }

    boolean bool(String key) {
        return (Boolean) value(key);
    }

    String string(String key) {
        return (String) value(key);
    }

    Duration duration(String key) {
        return (Duration) value(key);
    }

    @SuppressWarnings("unchecked")
    List<String> list(String key) {
        return (List<String>) value(key);
    }
}
