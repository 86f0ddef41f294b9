package dev.duplex.hub.broker.redis;

import dev.duplex.hub.protocol.ClientInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Presence across nodes: each channel's members in a hash, with a sorted set of deadlines. Every
 * node refreshes the deadlines of its own members every third of the TTL, so that the members of a
 * node that died disappear within the TTL. Confined to the delivery thread, so that a refresh never
 * brings back a member that just left.
 */
final class Presence {
    /** Members per refresh command. */
    private static final int BATCH = 500;

    private final Keys keys;
    private final Topology topology;
    private final long ttlMillis;
    /** This node's members: channel → client id → stored member. */
    private final Map<String, Map<String, byte[]>> local = new HashMap<>();

    Presence(Keys keys, Topology topology, long ttlMillis) {
        this.keys = keys;
        this.topology = topology;
        this.ttlMillis = ttlMillis;
    }

    CompletableFuture<Void> add(String channel, ClientInfo info) {
        byte[] member = Entry.member(info);
        local.computeIfAbsent(channel, c -> new LinkedHashMap<>()).put(info.client(), member);
        return run(channel, "add", List.of(Keys.bytes(info.client()), member));
    }

    CompletableFuture<Void> remove(String channel, String clientId) {
        Map<String, byte[]> members = local.get(channel);
        if (members != null) {
            members.remove(clientId);
            if (members.isEmpty()) {
                local.remove(channel);
            }
        }
        return run(channel, "remove", List.of(Keys.bytes(clientId)));
    }

    CompletableFuture<List<ClientInfo>> members(String channel) {
        return Script.PRESENCE.run(topology.commands(keys.base(channel)), keys(channel), Script.arg("get"), Script.arg(ttlMillis))
                .thenApply(reply -> {
                    List<ClientInfo> out = new ArrayList<>(reply.size());
                    for (Object m : reply) {
                        out.add(Entry.member((byte[]) m));
                    }
                    return out;
                });
    }

    /** Renews the deadlines of this node's members. */
    void refresh() {
        for (Map.Entry<String, Map<String, byte[]>> channel : local.entrySet()) {
            List<byte[]> pairs = new ArrayList<>();
            for (Map.Entry<String, byte[]> m : channel.getValue().entrySet()) {
                pairs.add(Keys.bytes(m.getKey()));
                pairs.add(m.getValue());
                if (pairs.size() >= 2 * BATCH) {
                    run(channel.getKey(), "add", pairs);
                    pairs = new ArrayList<>();
                }
            }
            if (!pairs.isEmpty()) {
                run(channel.getKey(), "add", pairs);
            }
        }
    }

    private CompletableFuture<Void> run(String channel, String op, List<byte[]> tail) {
        byte[][] args = new byte[2 + tail.size()][];
        args[0] = Script.arg(op);
        args[1] = Script.arg(ttlMillis);
        for (int i = 0; i < tail.size(); i++) {
            args[2 + i] = tail.get(i);
        }
        return Script.PRESENCE.run(topology.commands(keys.base(channel)), keys(channel), args).thenApply(r -> null);
    }

    private byte[][] keys(String channel) {
        return new byte[][] {keys.presence(channel), keys.presenceExpiry(channel)};
    }
}
