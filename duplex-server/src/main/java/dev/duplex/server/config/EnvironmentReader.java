package dev.duplex.server.config;

import dev.duplex.server.config.ServeConfig.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads {@code DUPLEX_*} environment variables into {@link ConfigValues}: one per key outside
 * {@code namespaces} ({@code DUPLEX_HUB_HEARTBEAT}, {@code DUPLEX_DEFAULT_NAMESPACE_HISTORY_SIZE}).
 * An unknown variable is a warning, an empty one is ignored, {@code DUPLEX_CONFIG} is not a key.
 */
final class EnvironmentReader {
    private final ConfigValues values;
    private final ConfigProblems problems;

    EnvironmentReader(ConfigValues values, ConfigProblems problems) {
        this.values = values;
        this.problems = problems;
    }

    void read(Map<String, String> environment) {
        Map<String, Setting> known = new LinkedHashMap<>();
        for (Setting s : Settings.GLOBAL) {
            known.put(s.environmentVariable(), s);
        }
        Map<String, Setting> knownNamespace = new LinkedHashMap<>();
        for (Setting s : Settings.NAMESPACE) {
            knownNamespace.put(ConfigLoader.namespaceVariable(s), s);
        }
        for (String variable : new TreeSet<>(environment.keySet())) {
            if (!variable.startsWith("DUPLEX_") || variable.equals(ConfigLoader.CONFIG_VARIABLE)) {
                continue;
            }
            String text = environment.get(variable);
            Setting s = known.get(variable);
            Map<String, Value> target = values.global;
            String label = s == null ? null : s.key();
            if (s == null) {
                s = knownNamespace.get(variable);
                target = values.defaultNamespace;
                label = s == null ? null : Settings.DEFAULT_NAMESPACE + "." + s.key();
            }
            if (s == null) {
                List<String> names = new ArrayList<>(known.keySet());
                names.addAll(knownNamespace.keySet());
                String hint = Suggestions.closest(variable, names);
                problems.warning("ignoring environment variable " + variable + ": no such setting"
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
                problems.invalid(label, source, e.getMessage());
            }
        }
    }
}
