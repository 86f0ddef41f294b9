package dev.duplex.hub.broker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The cluster's nodes as last known: the listed ones (this node first, then the alive ones, then the
 * gone ones, the most recently seen first, each group by id; at most {@link #MAX_LISTED}), and how
 * many are alive and gone in all.
 */
public record KnownNodes(List<NodeStatus> nodes, int alive, int gone) {
    /** At most this many nodes are listed (a {@code /metrics} label value each). */
    public static final int MAX_LISTED = 256;

    private static final Comparator<NodeStatus> ORDER = Comparator.comparing((NodeStatus n) -> !n.self())
            .thenComparing(n -> !n.alive())
            .thenComparing(n -> n.alive() ? 0 : -n.lastSeenMillis())
            .thenComparing(NodeStatus::id);

    /** Orders, counts and caps {@code all}, as a broker's {@code nodes()} listed them. */
    public static KnownNodes of(List<NodeStatus> all) {
        int alive = 0;
        for (NodeStatus n : all) {
            if (n.alive()) {
                alive++;
            }
        }
        List<NodeStatus> sorted = new ArrayList<>(all);
        sorted.sort(ORDER);
        return new KnownNodes(List.copyOf(sorted.subList(0, Math.min(MAX_LISTED, sorted.size()))),
                alive, all.size() - alive);
    }
}
