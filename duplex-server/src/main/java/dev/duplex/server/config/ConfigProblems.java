package dev.duplex.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The errors and warnings of one load, in the order they were found: the readers add theirs first,
 * then {@link ServeConfigBuilder} the builders' checks and the cross-checks. This class is not
 * thread safe.
 */
final class ConfigProblems {
    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    void error(String message) {
        errors.add(message);
    }

    /** "invalid value for 'port' in option --port: …" (no source for a default). */
    void invalid(String key, Source source, String problem) {
        errors.add("invalid value for '" + key + "'" + (source.kind() == Source.Kind.DEFAULT ? "" : " in " + source.describe())
                + ": " + problem);
    }

    void warning(String message) {
        warnings.add(message);
    }

    /** How many errors so far: a builder compares it before and after its checks. */
    int errorCount() {
        return errors.size();
    }

    /** Whether an error names a key that starts with {@code prefix} ("tokens."). */
    boolean anyErrorNames(String prefix) {
        for (String e : errors) {
            if (e.contains("'" + prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Throws every error at once, with the warnings; does nothing when there is none. */
    void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) {
            throw new ConfigException(errors, warnings);
        }
    }

    List<String> warnings() {
        return warnings;
    }
}
