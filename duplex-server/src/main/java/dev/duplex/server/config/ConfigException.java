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
        super(String.join("\n", oneLineEach(problems)));
        this.problems = oneLineEach(problems);
        this.warnings = oneLineEach(warnings);
    }

    /**
     * Problems quote the values they are about, and a value may hold a line break (a quoted YAML
     * string, an environment variable): escaped here, so that each problem stays one line and no
     * value can print a line of its own. Found by ConfigLoaderFuzzTest.
     */
    private static List<String> oneLineEach(List<String> lines) {
        return lines.stream().map(ConfigException::oneLine).toList();
    }

    private static String oneLine(String line) {
        StringBuilder b = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((Character.isISOControl(c) && c != '\t') || c == '\u2028' || c == '\u2029') {
                if (b == null) {
                    b = new StringBuilder(line.length() + 8).append(line, 0, i);
                }
                switch (c) {
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    default -> b.append(String.format("\\u%04x", (int) c));
                }
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? line : b.toString();
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
