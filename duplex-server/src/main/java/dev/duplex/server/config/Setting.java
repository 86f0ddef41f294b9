package dev.duplex.server.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One key of the configuration file: its name, type, default, allowed range, the one-line meaning
 * shown in {@code duplex.example.yaml} and docs/hub-configuration.md, and the {@code duplex serve} flag that sets it,
 * if any. Values are read from YAML scalars, environment variables and flags alike.
 */
public final class Setting {

    /** The types of values; each has one Java type. */
    public enum Kind {
        /** {@link Integer}. */
        INT,
        /** {@link Long} bytes: 65536, 64KiB, 1MiB. */
        SIZE,
        /** {@link Double}, positive: a rate per second. */
        RATE,
        /** {@link Boolean}. */
        BOOLEAN,
        /** {@link String}, may be null. */
        STRING,
        /** {@link String} file path, may be null; relative paths in the file are relative to the file. */
        PATH,
        /** {@link Duration}: 10s, 500ms, 5m. */
        DURATION,
        /** {@link String}: one of {@link #choices()}, lower case. */
        CHOICE,
        /** {@code List<String>}. */
        LIST
    }

    private final String key;
    private final Kind kind;
    private final Object defaultValue;
    private final long min;
    private final long max;
    private final List<String> choices;
    private final boolean secret;
    private final String flag;
    private final String description;

    private Setting(String key, Kind kind, Object defaultValue, long min, long max, List<String> choices, boolean secret,
                    String flag, String description) {
        this.key = key;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.choices = choices;
        this.secret = secret;
        this.flag = flag;
        this.description = description;
    }

    static Setting integer(String key, int defaultValue, long min, long max, String description) {
        return new Setting(key, Kind.INT, defaultValue, min, max, List.of(), false, null, description);
    }

    static Setting size(String key, long defaultValue, long min, long max, String description) {
        return new Setting(key, Kind.SIZE, defaultValue, min, max, List.of(), false, null, description);
    }

    static Setting rate(String key, double defaultValue, String description) {
        return new Setting(key, Kind.RATE, defaultValue, 0, 0, List.of(), false, null, description);
    }

    static Setting bool(String key, boolean defaultValue, String description) {
        return new Setting(key, Kind.BOOLEAN, defaultValue, 0, 0, List.of(), false, null, description);
    }

    static Setting string(String key, String defaultValue, String description) {
        return new Setting(key, Kind.STRING, defaultValue, 0, 0, List.of(), false, null, description);
    }

    static Setting path(String key, String description) {
        return new Setting(key, Kind.PATH, null, 0, 0, List.of(), false, null, description);
    }

    /** A duration of at least {@code minMillis} (0: zero allowed, meaning off where the description says so). */
    static Setting duration(String key, Duration defaultValue, long minMillis, String description) {
        return new Setting(key, Kind.DURATION, defaultValue, minMillis, Long.MAX_VALUE, List.of(), false, null, description);
    }

    static Setting choice(String key, String defaultValue, List<String> choices, String description) {
        return new Setting(key, Kind.CHOICE, defaultValue, 0, 0, List.copyOf(choices), false, null, description);
    }

    static Setting list(String key, String description) {
        return new Setting(key, Kind.LIST, List.of(), 0, 0, List.of(), false, null, description);
    }

    /** The same setting, set on the command line by {@code flag} too. */
    Setting flag(String name) {
        return new Setting(key, kind, defaultValue, min, max, choices, secret, name, description);
    }

    /** The same setting, masked when printed. */
    Setting secret() {
        return new Setting(key, kind, defaultValue, min, max, choices, true, flag, description);
    }

    /** The key: {@code port}, {@code hub.heartbeat}; namespace settings are relative ({@code history_size}). */
    public String key() {
        return key;
    }

    /** The last part of the key, as written in its section. */
    public String name() {
        return key.substring(key.lastIndexOf('.') + 1);
    }

    public Kind kind() {
        return kind;
    }

    public Object defaultValue() {
        return defaultValue;
    }

    public List<String> choices() {
        return choices;
    }

    /** The least value of an INT or a SIZE (bytes), the least milliseconds of a DURATION; 0 for other kinds. */
    long min() {
        return min;
    }

    /** The greatest value of an INT or a SIZE (bytes); 0 for other kinds. */
    long max() {
        return max;
    }

    public boolean isSecret() {
        return secret;
    }

    /** The {@code duplex serve} flag ({@code --port}), or null. */
    public String flag() {
        return flag;
    }

    public String description() {
        return description;
    }

    /** The environment variable: {@code DUPLEX_} and the key in upper case, dots as underscores. */
    public String environmentVariable() {
        return "DUPLEX_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** Whether the value may be null (absent: a string or path nobody set). */
    boolean nullable() {
        return kind == Kind.STRING || kind == Kind.PATH;
    }

    // ------------------------------------------------------------------ reading values

    /** Where a raw value comes from: its syntax differs a little (see {@link #parse}). */
    enum Origin {
        FILE, ENVIRONMENT, COMMAND_LINE
    }

    /**
     * The value of a YAML scalar, or of an environment variable or flag ({@code token} then
     * {@link ScalarType#STRING}). Durations need a unit, except on the command line, where a plain
     * number is seconds (as the flags always were) and in every case {@code 0}.
     *
     * @throws IllegalArgumentException what is wrong, without the key (the caller adds where it came from)
     */
    Object parse(String text, ScalarType type, Origin origin) {
        switch (kind) {
            case INT -> {
                return (int) whole(text, type);
            }
            case SIZE -> {
                long bytes = type == ScalarType.NUMBER ? wholeNumber(text) : Units.parseSize(text);
                return checkRange(bytes, Units.formatSize(bytes));
            }
            case RATE -> {
                double rate;
                try {
                    rate = Double.parseDouble(text.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected a positive number, got '" + text + "'");
                }
                if (!(rate > 0) || Double.isInfinite(rate)) {
                    throw new IllegalArgumentException("expected a positive number, got " + text);
                }
                return rate;
            }
            case BOOLEAN -> {
                if (type == ScalarType.BOOLEAN) {
                    return Boolean.parseBoolean(text);
                }
                switch (text.strip().toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "on", "1" -> {
                        return true;
                    }
                    case "false", "no", "off", "0" -> {
                        return false;
                    }
                    default -> throw new IllegalArgumentException("expected true or false, got '" + text + "'");
                }
            }
            case STRING, PATH -> {
                if (type == ScalarType.BOOLEAN) {
                    throw new IllegalArgumentException("expected a string, got " + text + " (quote it to mean the text)");
                }
                return text;
            }
            case DURATION -> {
                Duration d;
                String s = text.strip();
                if ((origin == Origin.COMMAND_LINE || type == ScalarType.NUMBER) && s.matches("\\d+")) {
                    if (origin != Origin.COMMAND_LINE && !s.matches("0+")) {
                        throw new IllegalArgumentException("expected a duration with a unit, such as " + s + "s or "
                                + s + "ms, got the plain number " + s);
                    }
                    // Seconds, through the same parser as "90s" in the file: it refuses what does not fit
                    // a Duration's milliseconds ("too long"), where Duration.ofSeconds then toMillis()
                    // threw ArithmeticException for 10^16 seconds and more (found by ConfigLoaderFuzzTest).
                    d = Units.parseDuration(s + "s");
                } else {
                    d = Units.parseDuration(s);
                }
                if (d.toMillis() < min) {
                    throw new IllegalArgumentException(min == 1 ? "must be positive, got " + text
                            : "must be at least " + Units.formatDuration(Duration.ofMillis(min)) + ", got " + text);
                }
                return d;
            }
            case CHOICE -> {
                String value = text.strip().toLowerCase(Locale.ROOT).replace('-', '_');
                if (!choices.contains(value)) {
                    String hint = Suggestions.closest(value, choices);
                    throw new IllegalArgumentException("expected one of " + String.join(", ", choices) + ", got '" + text + "'"
                            + (hint == null ? "" : " (did you mean '" + hint + "'?)"));
                }
                return value;
            }
            case LIST -> {
                List<String> items = new ArrayList<>();
                for (String item : text.split(",")) {
                    if (!item.isBlank()) {
                        items.add(item.strip());
                    }
                }
                return List.copyOf(items);
            }
            default -> throw new IllegalStateException("kind " + kind);
        }
    }

    private long whole(String text, ScalarType type) {
        long n = wholeNumber(text);
        return checkRange(n, Long.toString(n));
    }

    private long wholeNumber(String text) {
        String s = text.strip().replace("_", "");
        BigInteger n;
        try {
            n = new BigInteger(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number" + range() + ", got '" + text + "'");
        }
        if (n.bitLength() > 63) {
            throw new IllegalArgumentException("expected a whole number" + range() + ", got " + text);
        }
        return n.longValue();
    }

    private long checkRange(long n, String shown) {
        if (n < min || n > max) {
            throw new IllegalArgumentException("expected a " + (kind == Kind.SIZE ? "size" : "whole number") + range()
                    + ", got " + shown);
        }
        return n;
    }

    private String range() {
        if (kind != Kind.INT && kind != Kind.SIZE) {
            return "";
        }
        String lo = kind == Kind.SIZE ? Units.formatSize(min) : Long.toString(min);
        String hi = kind == Kind.SIZE ? Units.formatSize(max) : Long.toString(max);
        return max == Integer.MAX_VALUE || max == Long.MAX_VALUE ? " of at least " + lo : " from " + lo + " to " + hi;
    }

    /** What a YAML scalar was before conversion. */
    enum ScalarType {
        STRING, NUMBER, BOOLEAN
    }

    // ------------------------------------------------------------------ writing values

    /** The value as the configuration file writes it: {@code 10s}, {@code 1MiB}, {@code "0.0.0.0"}, {@code []}. */
    public String format(Object value) {
        if (value == null) {
            return "null";
        }
        if (kind == Kind.DURATION) {
            return Units.formatDuration((Duration) value);
        }
        if (kind == Kind.SIZE) {
            return Units.formatSize((Long) value);
        }
        if (kind == Kind.RATE) {
            double d = (Double) value;
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }
        if (kind == Kind.STRING || kind == Kind.PATH) {
            return quote((String) value);
        }
        if (kind == Kind.LIST) {
            List<?> items = (List<?>) value;
            List<String> quoted = new ArrayList<>();
            for (Object item : items) {
                quoted.add(quote(String.valueOf(item)));
            }
            return "[" + String.join(", ", quoted) + "]";
        }
        return String.valueOf(value);
    }

    /** A double-quoted YAML string (JSON escapes, which YAML accepts). */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Setting other && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key);
    }

    @Override
    public String toString() {
        return key;
    }
}
