package dev.duplex.loadgen;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a scenario: a table for people, then one JSON line for scripts
 * ({@code {"scenario":"echo",...}}), and an exit code: 0 when nothing went wrong, 1 when errors
 * occurred (failed connections, protocol errors, lost or duplicated messages).
 */
public final class BenchReport {
    private final String title;
    private final List<String[]> rows = new ArrayList<>();
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private int exitCode;

    BenchReport(String scenario, String title) {
        this.title = title;
        json.put("scenario", scenario);
    }

    BenchReport row(String label, String value) {
        rows.add(new String[] {label, value});
        return this;
    }

    BenchReport put(String key, Object value) {
        json.put(key, value);
        return this;
    }

    BenchReport note(String note) {
        notes.add(note);
        return this;
    }

    BenchReport failed() {
        exitCode = 1;
        return this;
    }

    /** 0 when the run had no errors, 1 otherwise. */
    public int exitCode() {
        return exitCode;
    }

    /** The JSON line. */
    public String json() {
        StringBuilder b = new StringBuilder();
        appendJson(b, json);
        return b.toString();
    }

    /** The table, then the JSON line last. */
    public void print(PrintStream out) {
        out.println(title);
        int width = 0;
        for (String[] row : rows) {
            width = Math.max(width, row[0].length());
        }
        for (String[] row : rows) {
            out.printf("  %-" + width + "s  %s%n", row[0], row[1]);
        }
        for (String note : notes) {
            out.println("  " + note);
        }
        out.println(json());
        out.flush();
    }

    // ---- formatting helpers shared by the scenarios

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String decimal(double d) {
        return String.format(Locale.ROOT, "%,.1f", d);
    }

    static double round(double d, int places) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return 0;
        }
        double scale = Math.pow(10, places);
        return Math.round(d * scale) / scale;
    }

    static String bytes(long n) {
        if (n >= 1 << 20 && n % (1 << 20) == 0) {
            return (n >> 20) + " MiB";
        }
        if (n >= 1024 && n % 1024 == 0) {
            return (n >> 10) + " KiB";
        }
        return n + " B";
    }

    @SuppressWarnings("unchecked")
    private static void appendJson(StringBuilder b, Object value) {
        if (value == null) {
            b.append("null");
        } else if (value instanceof String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            b.append('"');
        } else if (value instanceof Double d) {
            b.append(Double.isFinite(d) ? BigDecimalText.of(d) : "null");
        } else if (value instanceof Number || value instanceof Boolean) {
            b.append(value);
        } else if (value instanceof Map<?, ?> map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                appendJson(b, e.getKey());
                b.append(':');
                appendJson(b, e.getValue());
            }
            b.append('}');
        } else if (value instanceof List<?> list) {
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                appendJson(b, list.get(i));
            }
            b.append(']');
        } else {
            appendJson(b, value.toString());
        }
    }

    /** Plain decimal notation (JSON has no NaN, and scripts prefer 12345.6 to 1.23456E4). */
    private static final class BigDecimalText {
        static String of(double d) {
            String s = new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
            return s;
        }
    }
}
