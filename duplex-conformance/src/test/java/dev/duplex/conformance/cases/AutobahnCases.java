package dev.duplex.conformance.cases;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Autobahn|Testsuite's cases of sections 1–7, 9, 10, 12 and 13, in Autobahn's order (the order
 * its fuzzing server numbers them for {@code /runCase?case=N}). Sections 12 and 13 negotiate
 * permessage-deflate; {@link #withoutCompression()} and {@link #compression(int)} split them off.
 */
public final class AutobahnCases {
    private static final List<AutobahnCase> ALL = build();

    private AutobahnCases() {
    }

    /** Every case, in Autobahn's order. */
    public static List<AutobahnCase> all() {
        return ALL;
    }

    /** Sections 1–7, 9 and 10: the cases that need no extension. */
    public static List<AutobahnCase> withoutCompression() {
        return ALL.stream().filter(c -> !isCompression(c)).toList();
    }

    /**
     * Sections 12 and 13 (permessage-deflate) with {@code messagesPerCase} messages per case
     * instead of Autobahn's 1,000; same ids, same order.
     */
    public static List<AutobahnCase> compression(int messagesPerCase) {
        return CompressionCases.all(messagesPerCase);
    }

    /** Whether the case negotiates permessage-deflate (sections 12 and 13). */
    public static boolean isCompression(AutobahnCase c) {
        return c.section().equals("12") || c.section().equals("13");
    }

    /** The case with this id. @throws IllegalArgumentException if there is none */
    public static AutobahnCase byId(String id) {
        for (AutobahnCase c : ALL) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("No Autobahn case " + id);
    }

    /** Number of cases per section, e.g. {"1": 16, "2": 11, …}. */
    public static Map<String, Integer> countBySection() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (AutobahnCase c : ALL) {
            counts.merge(c.section(), 1, Integer::sum);
        }
        return counts;
    }

    private static List<AutobahnCase> build() {
        List<AutobahnCase> all = new ArrayList<>();
        all.addAll(FramingCases.all());
        all.addAll(PingPongCases.all());
        all.addAll(ReservedBitsCases.all());
        all.addAll(OpcodeCases.all());
        all.addAll(FragmentationCases.all());
        all.addAll(Utf8Cases.all());
        all.addAll(CloseCases.all());
        all.addAll(LimitsCases.all());
        all.addAll(AutoFragmentationCases.all());
        all.addAll(CompressionCases.all(CompressionCases.AUTOBAHN_MESSAGES));
        return Collections.unmodifiableList(all);
    }
}
