package dev.duplex.server.config;

import java.util.List;

/**
 * The configuration is unusable: every problem found, each one line naming the key, where it was
 * set (file and line, environment variable, flag) and what is wrong. Nothing was started.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;
    private final List<String> warnings;

    public ConfigException(List<String> problems, List<String> warnings) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
        this.warnings = List.copyOf(warnings);
    }

    /** One line per problem, in file order, then environment, then flags. */
    public List<String> problems() {
        return problems;
    }

    /** What would have been warnings had the configuration been usable (an unknown DUPLEX_* variable, say). */
    public List<String> warnings() {
        return warnings;
    }
}
