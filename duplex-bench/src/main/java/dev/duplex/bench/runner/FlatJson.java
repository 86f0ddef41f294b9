package dev.duplex.bench.runner;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the load generator's one-line JSON summary: a flat object of strings, numbers and booleans. */
final class FlatJson {
    private FlatJson() {
    }

    /** Nested objects are flattened with dotted keys: {@code {"latency":{"p99":5}}} gives {@code latency.p99 = 5}. */
    static Map<String, String> parse(String line) {
        Map<String, String> values = new LinkedHashMap<>();
        parseInto(line, "", values);
        return values;
    }

    private static void parseInto(String line, String prefix, Map<String, String> values) {
        String s = line.trim();
        if (!s.startsWith("{") || !s.endsWith("}")) {
            throw new IllegalArgumentException("Not a JSON object: " + line);
        }
        int i = 1;
        while (i < s.length() - 1) {
            int keyStart = s.indexOf('"', i);
            if (keyStart < 0) {
                break;
            }
            int keyEnd = s.indexOf('"', keyStart + 1);
            String key = s.substring(keyStart + 1, keyEnd);
            int colon = s.indexOf(':', keyEnd);
            int valueStart = colon + 1;
            while (s.charAt(valueStart) == ' ') {
                valueStart++;
            }
            int valueEnd;
            String value;
            if (s.charAt(valueStart) == '"') {
                valueEnd = s.indexOf('"', valueStart + 1);
                value = s.substring(valueStart + 1, valueEnd);
                valueEnd++;
            } else if (s.charAt(valueStart) == '{' || s.charAt(valueStart) == '[') {
                char open = s.charAt(valueStart);
                char close = open == '{' ? '}' : ']';
                int depth = 0;
                valueEnd = valueStart;
                do {
                    char c = s.charAt(valueEnd++);
                    if (c == open) {
                        depth++;
                    } else if (c == close) {
                        depth--;
                    }
                } while (depth > 0);
                value = s.substring(valueStart, valueEnd);
            } else {
                valueEnd = valueStart;
                while (valueEnd < s.length() && s.charAt(valueEnd) != ',' && s.charAt(valueEnd) != '}') {
                    valueEnd++;
                }
                value = s.substring(valueStart, valueEnd).trim();
            }
            if (value.startsWith("{")) {
                parseInto(value, prefix + key + ".", values);
            } else {
                values.put(prefix + key, value);
            }
            i = valueEnd + 1;
        }
    }
}
