package dev.duplex.conformance.cases;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One Autobahn|Testsuite case: its id ("6.4.3"), a one-line description in our words, and its
 * {@link Script}, built only when the case runs (section 9 payloads reach 16 MiB).
 */
public record AutobahnCase(String id, String description, Supplier<Script> script) {
    public AutobahnCase {
        Objects.requireNonNull(id);
        Objects.requireNonNull(description);
        Objects.requireNonNull(script);
    }

    /** The section: "6" for "6.4.3". */
    public String section() {
        int dot = id.indexOf('.');
        return dot < 0 ? id : id.substring(0, dot);
    }

    /** "Autobahn 6.4.3 — description". */
    public String displayName() {
        return "Autobahn " + id + " — " + description;
    }

    @Override
    public String toString() {
        return id;
    }
}
