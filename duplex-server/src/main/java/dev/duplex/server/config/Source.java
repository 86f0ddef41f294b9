package dev.duplex.server.config;

/**
 * Where a value came from: the built-in default, a line of the configuration file, an environment
 * variable or a flag. Later sources win: flags over the environment over the file over defaults.
 */
public record Source(Kind kind, String file, int line, String name) {

    public enum Kind {
        DEFAULT, FILE, ENVIRONMENT, COMMAND_LINE
    }

    public static final Source DEFAULT = new Source(Kind.DEFAULT, null, 0, null);

    static Source file(String file, int line) {
        return new Source(Kind.FILE, file, line, null);
    }

    static Source environment(String variable) {
        return new Source(Kind.ENVIRONMENT, null, 0, variable);
    }

    static Source flag(String flag) {
        return new Source(Kind.COMMAND_LINE, null, 0, flag);
    }

    /** "duplex.yaml line 4", "environment variable DUPLEX_PORT", "option --port", "the default". */
    public String describe() {
        return switch (kind) {
            case DEFAULT -> "the default";
            case FILE -> file + " line " + line;
            case ENVIRONMENT -> "environment variable " + name;
            case COMMAND_LINE -> "option " + name;
        };
    }

    /** Short form for comments in {@code --print-config}: "duplex.yaml:4", "DUPLEX_PORT", "--port". */
    public String shortForm() {
        return switch (kind) {
            case DEFAULT -> "default";
            case FILE -> file + ":" + line;
            case ENVIRONMENT, COMMAND_LINE -> name;
        };
    }
}
