package dev.duplex.server.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations ({@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}, combined as {@code 1m30s})
 * and sizes ({@code 1MiB}, {@code 64KiB}, {@code 1GiB}; {@code KB}/{@code MB}/{@code GB} are powers of
 * 1000; a plain number is bytes) as the configuration file writes them.
 */
public final class Units {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmg]i?b|b)?");

    private Units() {
    }

    /**
     * A duration such as {@code 10s}; {@code "0"} is zero.
     *
     * @throws IllegalArgumentException saying what a duration looks like
     */
    public static Duration parseDuration(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION_PART.matcher(s);
        BigDecimal millis = BigDecimal.ZERO;
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("expected a duration such as 10s, 500ms, 5m or 1h30m, got '" + text + "'");
            }
            BigDecimal n = new BigDecimal(m.group(1));
            long unit = switch (m.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1_000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                default -> 86_400_000L;
            };
            millis = millis.add(n.multiply(BigDecimal.valueOf(unit)));
            at = m.end();
            while (at < s.length() && s.charAt(at) == ' ') {
                at++;
            }
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("expected a duration such as 10s, 500ms, 5m or 1h30m, got an empty value");
        }
        if (millis.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of milliseconds");
        }
        if (millis.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1_000_000)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long");
        }
        return Duration.ofMillis(millis.longValueExact());
    }

    /** The shortest exact form: {@code 0}, {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}. */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    /**
     * A size in bytes: a plain number, or a number with B, KiB, MiB, GiB (powers of 1024) or KB, MB,
     * GB (powers of 1000).
     *
     * @throws IllegalArgumentException saying what a size looks like
     */
    public static long parseSize(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 65536, 64KiB or 1MiB, got '" + text + "'");
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit) {
            case "b" -> 1L;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            default -> throw new IllegalArgumentException("unknown size unit '" + unit + "' in '" + text
                    + "'; use B, KiB, MiB, GiB (1024) or KB, MB, GB (1000)");
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor));
        if (bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes");
        }
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return bytes.longValueExact();
    }

    /** {@code 16MiB}, {@code 64KiB}, or the plain number when it is not a whole number of KiB. */
    public static String formatSize(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes != 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KiB";
        }
        return Long.toString(bytes);
    }
}
