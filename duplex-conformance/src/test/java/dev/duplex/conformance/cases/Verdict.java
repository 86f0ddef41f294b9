package dev.duplex.conformance.cases;

/**
 * The outcome of one case, in Autobahn|Testsuite's terms.
 *
 * <p>Autobahn reports the behaviour (events seen) and the closing behaviour separately; this
 * suite folds them into one verdict: a case is {@link #OK} only when both are right.
 */
public enum Verdict {
    /** Exactly the expected events and the expected close. */
    OK("OK"),
    /** Tolerated but not the preferred behaviour (e.g. failing late rather than fast). */
    NON_STRICT("NON-STRICT"),
    /** The RFC leaves the outcome open; what happened is recorded, nothing is judged. */
    INFORMATIONAL("INFORMATIONAL"),
    /** Wrong events, wrong close, or no close. */
    FAILED("FAILED"),
    /** The peer does not implement what the case tests (it declined permessage-deflate). */
    UNIMPLEMENTED("UNIMPLEMENTED");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    /** The spelling Autobahn's reports and our expected-results file use. */
    public String label() {
        return label;
    }

    /** Parses {@link #label()}. */
    public static Verdict parse(String text) {
        for (Verdict v : values()) {
            if (v.label.equalsIgnoreCase(text.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("Not a verdict: " + text);
    }
}
