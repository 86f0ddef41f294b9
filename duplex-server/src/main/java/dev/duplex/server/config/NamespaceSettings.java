package dev.duplex.server.config;

import dev.duplex.hub.Access;
import dev.duplex.hub.DeliveryMode;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.SlowConsumerPolicy;
import dev.duplex.hub.auth.TokenVerifier;
import dev.duplex.server.config.ServeConfig.Value;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds a {@link NamespaceConfig} from one namespace's values ({@code default_namespace} or an
 * entry of {@code namespaces}), reporting the builder's checks against the key that failed them,
 * and refusing {@code user} or {@code token} rules when no token key is configured.
 */
final class NamespaceSettings {
    private final ConfigProblems problems;

    NamespaceSettings(ConfigProblems problems) {
        this.problems = problems;
    }

    /**
     * The namespace's configuration, or null when any of its values is unusable (then with errors).
     *
     * @param label the namespace's keys' prefix in messages: "default_namespace", "namespaces.chat"
     * @param tokens the hub's verifier, or null when no token key is configured
     */
    NamespaceConfig build(Map<String, Value> values, String label, TokenVerifier tokens) {
        NamespaceConfig.Builder b = NamespaceConfig.builder();
        int before = problems.errorCount();
        apply(b, values, label, "history_size", x -> x.historySize((Integer) values.get("history_size").value()));
        apply(b, values, label, "history_ttl", x -> x.historyTtl((Duration) values.get("history_ttl").value()));
        apply(b, values, label, "presence", x -> x.presence((Boolean) values.get("presence").value()));
        apply(b, values, label, "join_leave", x -> x.joinLeave((Boolean) values.get("join_leave").value()));
        apply(b, values, label, "subscribe", x -> x.subscribe(access(values, "subscribe")));
        apply(b, values, label, "publish", x -> x.publish(access(values, "publish")));
        apply(b, values, label, "history", x -> x.history(access(values, "history")));
        apply(b, values, label, "max_message_bytes",
                x -> x.maxMessageBytes((int) (long) (Long) values.get("max_message_bytes").value()));
        apply(b, values, label, "mode", x -> x.mode(DeliveryMode.valueOf(upper(values, "mode"))));
        apply(b, values, label, "slow_consumer",
                x -> x.slowConsumer(SlowConsumerPolicy.valueOf(upper(values, "slow_consumer"))));
        apply(b, values, label, "dedup_window", x -> x.dedupWindow((Duration) values.get("dedup_window").value()));
        if (tokens == null) {
            for (String key : List.of("subscribe", "publish", "history")) {
                String access = (String) values.get(key).value();
                if (access.equals("user") || access.equals("token")) {
                    problems.error("'" + label + "." + key + "' is '" + access + "' (" + values.get(key).source().describe()
                            + ") but " + TokenSettings.NO_KEYS + ": no connection could " + (key.equals("history")
                            ? "read history" : key) + " (use 'nobody' to leave it to the HTTP API)");
                }
            }
        }
        return problems.errorCount() > before ? null : b.build();
    }

    private void apply(NamespaceConfig.Builder b, Map<String, Value> values, String label, String key,
                       Consumer<NamespaceConfig.Builder> setter) {
        try {
            setter.accept(b);
        } catch (IllegalArgumentException e) {
            problems.invalid(label + "." + key, values.get(key).source(), e.getMessage());
        }
    }

    /** The access a key names; null for {@code same_as_subscribe}, which follows the subscribe rule. */
    private static Access access(Map<String, Value> values, String key) {
        String name = upper(values, key);
        return name.equals("SAME_AS_SUBSCRIBE") ? null : Access.valueOf(name);
    }

    private static String upper(Map<String, Value> values, String key) {
        return ((String) values.get(key).value()).toUpperCase(Locale.ROOT);
    }
}
