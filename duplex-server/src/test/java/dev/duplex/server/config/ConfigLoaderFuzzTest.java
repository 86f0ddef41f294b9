package dev.duplex.server.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.server.config.ConfigLoader.Flag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes {@code duplex serve}'s configuration loader: a YAML file of any bytes, with environment
 * variables and flags. It either returns a configuration whose every value is of its setting's
 * type and within its bounds, or throws {@link ConfigException} with at least one problem, each a
 * non-empty line; nothing else may come out of it (no NullPointerException, no Jackson exception).
 *
 * <p>Input layout: the input is the file, written as it is (so it may be invalid UTF-8). Lines of
 * it of the form {@code #!env NAME=VALUE} and {@code #!flag --name=VALUE} (YAML comments) also
 * set an environment variable and give a flag of {@code duplex serve} (VALUE is true or false for
 * a boolean flag; {@code |} separates the items of a list flag); {@code #!nofile} loads without a
 * file.
 */
class ConfigLoaderFuzzTest {
    private static final Path DIRECTORY;
    private static final Path FILE;

    static {
        try {
            DIRECTORY = Files.createTempDirectory("config-fuzz");
            FILE = DIRECTORY.resolve("duplex.yaml");
            DIRECTORY.toFile().deleteOnExit();
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void config(byte[] input) throws IOException {
        Map<String, String> environment = new LinkedHashMap<>();
        List<Flag> flags = new ArrayList<>();
        boolean noFile = false;
        for (String line : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.startsWith("#!env ") && line.indexOf('=') > 0) {
                int eq = line.indexOf('=');
                environment.put(line.substring(6, eq), line.substring(eq + 1));
            } else if (line.startsWith("#!flag ") && line.indexOf('=') > 0) {
                int eq = line.indexOf('=');
                Flag flag = flag(line.substring(7, eq), line.substring(eq + 1));
                if (flag != null) {
                    flags.add(flag);
                }
            } else if (line.equals("#!nofile")) {
                noFile = true;
            }
        }
        Files.write(FILE, input);

        ServeConfig config;
        try {
            config = new ConfigLoader(environment).load(noFile ? null : FILE, flags);
        } catch (ConfigException e) {
            check(!e.problems().isEmpty(), "a ConfigException without a problem");
            for (String problem : e.problems()) {
                check(problem != null && !problem.isBlank() && problem.indexOf('\n') < 0 && problem.indexOf('\r') < 0, "a problem that is not one line: " + problem);
            }
            return;
        }
        for (Setting s : Settings.GLOBAL) {
            checkValue(s, s.key(), config.get(s.key()));
        }
        for (Setting s : Settings.NAMESPACE) {
            checkValue(s, Settings.DEFAULT_NAMESPACE + "." + s.key(), config.defaultNamespace().get(s.key()));
            for (Map.Entry<String, ServeConfig.Namespace> ns : config.namespaces().entrySet()) {
                checkValue(s, Settings.NAMESPACES + "." + ns.getKey() + "." + s.key(), ns.getValue().values().get(s.key()));
            }
        }
        check(config.hubConfig() != null && config.webSocketOptions() != null, "a configuration without the objects built from it");
        config.toYaml();
    }

    /** A flag as picocli gives it to the loader: a Boolean for a boolean flag, a list for a repeatable one. */
    private static Flag flag(String name, String value) {
        for (Setting s : Settings.GLOBAL) {
            if (name.equals(s.flag())) {
                return switch (s.kind()) {
                    case BOOLEAN -> new Flag(name, Boolean.valueOf(value));
                    case LIST -> new Flag(name, List.of(value.split("\\|", -1)));
                    default -> new Flag(name, value);
                };
            }
        }
        return null; // picocli knows only the flags of settings
    }

    private static void checkValue(Setting s, String label, ServeConfig.Value v) {
        check(v != null && v.source() != null, label + " has no value or source");
        Object value = v.value();
        if (value == null) {
            check(s.kind() == Setting.Kind.STRING || s.kind() == Setting.Kind.PATH, label + " is null");
            return;
        }
        String shown = label + " = " + value + " (" + v.source().describe() + ")";
        switch (s.kind()) {
            case INT -> check(value instanceof Integer i && i >= s.min() && i <= s.max(), shown + ", outside " + s.min() + ".." + s.max());
            case SIZE -> check(value instanceof Long l && l >= s.min() && l <= s.max(), shown + ", outside " + s.min() + ".." + s.max());
            case RATE -> check(value instanceof Double d && d > 0 && !d.isInfinite() && !d.isNaN(), shown + ", not a positive rate");
            case BOOLEAN -> check(value instanceof Boolean, shown + ", not a boolean");
            case STRING, PATH -> check(value instanceof String, shown + ", not a string");
            case DURATION -> check(value instanceof Duration d && !d.isNegative() && d.compareTo(Duration.ofMillis(s.min())) >= 0,
                    shown + ", under " + s.min() + " ms");
            case CHOICE -> check(value instanceof String c && s.choices().contains(c), shown + ", not one of " + s.choices());
            case LIST -> {
                check(value instanceof List<?>, shown + ", not a list");
                for (Object item : (List<?>) value) {
                    check(item instanceof String, shown + ", an item is not a string");
                }
            }
            default -> throw new AssertionError("kind " + s.kind());
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
