package dev.duplex.hub.broker.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Redis names of a channel's data. Every name of one channel carries the same hash tag, so in
 * Redis Cluster they share a slot and one Lua script may touch them all:
 *
 * <pre>
 * PREFIX:{TAG}:m          hash: e = epoch, o = top offset
 * PREFIX:{TAG}:s          stream of retained publications, id 0-OFFSET, fields t (ms) and d (entry)
 * PREFIX:{TAG}:i:MSGID    string "EPOCH:OFFSET": a message id seen within the de-duplication window
 * PREFIX:{TAG}:p          hash of presence: client id → client info
 * PREFIX:{TAG}:pe         sorted set of presence: client id → expiry (ms)
 * PREFIX:{TAG}:c          sharded pub/sub channel of publications, joins and leaves
 * PREFIX:{duplex control}:c   sharded pub/sub channel between nodes
 * PREFIX:{duplex control}:n   hash: node id → its last report
 * PREFIX:{duplex control}:ns  sorted set: node id → when it last reported (ms)
 * </pre>
 *
 * The tag is the channel name itself, unless it holds a brace (which would end the tag early):
 * then a digest of it, after a space. Channel names hold no spaces, so a digest tag is never the
 * name of another channel.
 */
final class Keys {
    private final String prefix;

    Keys(String prefix) {
        this.prefix = prefix;
    }

    /** The tagged base of a channel's names: {@code PREFIX:{TAG}}. */
    String base(String channel) {
        return prefix + ":{" + tag(channel) + "}";
    }

    byte[] meta(String channel) {
        return bytes(base(channel) + ":m");
    }

    byte[] stream(String channel) {
        return bytes(base(channel) + ":s");
    }

    byte[] messageId(String channel, String msgId) {
        return bytes(base(channel) + ":i:" + msgId);
    }

    byte[] presence(String channel) {
        return bytes(base(channel) + ":p");
    }

    byte[] presenceExpiry(String channel) {
        return bytes(base(channel) + ":pe");
    }

    byte[] pubsub(String channel) {
        return bytes(base(channel) + ":c");
    }

    /**
     * The base of the control channel between nodes and of the node registry. Its tag holds a space,
     * which no channel name does, so no channel's names can be the same.
     */
    String controlBase() {
        return prefix + ":{duplex control}";
    }

    byte[] control() {
        return bytes(controlBase() + ":c");
    }

    byte[] nodes() {
        return bytes(controlBase() + ":n");
    }

    byte[] nodesSeen() {
        return bytes(controlBase() + ":ns");
    }

    static String tag(String channel) {
        if (channel.indexOf('{') < 0 && channel.indexOf('}') < 0) {
            return channel;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(channel.getBytes(StandardCharsets.UTF_8));
            return " #" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
