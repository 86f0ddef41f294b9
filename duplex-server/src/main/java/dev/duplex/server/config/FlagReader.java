package dev.duplex.server.config;

import dev.duplex.server.config.ConfigLoader.Flag;
import dev.duplex.server.config.ServeConfig.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the flags of {@code duplex serve} into {@link ConfigValues}, each over the key of the same
 * name. A repeatable flag's values are parsed one by one and joined.
 */
final class FlagReader {
    private final ConfigValues values;
    private final ConfigProblems problems;

    FlagReader(ConfigValues values, ConfigProblems problems) {
        this.values = values;
        this.problems = problems;
    }

    /** @throws IllegalArgumentException for a flag that sets no key (a programming error) */
    void read(List<Flag> flags) {
        for (Flag flag : flags) {
            Setting s = null;
            for (Setting candidate : Settings.GLOBAL) {
                if (flag.name().equals(candidate.flag())) {
                    s = candidate;
                }
            }
            if (s == null) {
                throw new IllegalArgumentException("No setting for flag " + flag.name());
            }
            Source source = Source.flag(flag.name());
            try {
                Object value;
                if (flag.value() instanceof Boolean b) {
                    value = b;
                } else if (flag.value() instanceof List<?> items) {
                    List<String> all = new ArrayList<>();
                    for (Object item : items) {
                        @SuppressWarnings("unchecked")
                        List<String> parsed = (List<String>) s.parse(String.valueOf(item), Setting.ScalarType.STRING,
                                Setting.Origin.COMMAND_LINE);
                        all.addAll(parsed);
                    }
                    value = List.copyOf(all);
                } else {
                    value = s.parse(String.valueOf(flag.value()), Setting.ScalarType.STRING, Setting.Origin.COMMAND_LINE);
                }
                values.global.put(s.key(), new Value(value, source));
            } catch (IllegalArgumentException e) {
                problems.invalid(s.key(), source, e.getMessage());
            }
        }
    }
}
