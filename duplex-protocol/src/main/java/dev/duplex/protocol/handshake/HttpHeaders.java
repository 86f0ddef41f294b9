package dev.duplex.protocol.handshake;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Header fields in arrival order; names compare case-insensitively (RFC 9110 §5.1). Immutable. */
public final class HttpHeaders {
    /** One header line. */
    public record Field(String name, String value) {
    }

    private final List<Field> fields;

    public HttpHeaders(List<Field> fields) {
        this.fields = List.copyOf(fields);
    }

    public List<Field> fields() {
        return fields;
    }

    /** The first value of {@code name}, or null. */
    public String first(String name) {
        for (Field field : fields) {
            if (field.name.equalsIgnoreCase(name)) {
                return field.value;
            }
        }
        return null;
    }

    /** Every value of {@code name}, in order. */
    public List<String> all(String name) {
        List<String> values = null;
        for (Field field : fields) {
            if (field.name.equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(field.value);
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    public int count(String name) {
        int n = 0;
        for (Field field : fields) {
            if (field.name.equalsIgnoreCase(name)) {
                n++;
            }
        }
        return n;
    }

    public boolean contains(String name) {
        return first(name) != null;
    }

    /** Whether any value of {@code name}, read as a comma-separated list, holds {@code token} (case-insensitive). */
    public boolean hasToken(String name, String token) {
        String wanted = token.toLowerCase(Locale.ROOT);
        for (Field field : fields) {
            if (field.name.equalsIgnoreCase(name)) {
                for (String element : HeaderTokens.split(field.value)) {
                    if (element.toLowerCase(Locale.ROOT).equals(wanted)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
