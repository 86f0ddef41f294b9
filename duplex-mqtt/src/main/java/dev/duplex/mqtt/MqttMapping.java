package dev.duplex.mqtt;

import dev.duplex.hub.protocol.Commands;
import java.nio.charset.StandardCharsets;

/**
 * The default mapping: MQTT topic {@code T} and hub channel {@code mqtt:T} mirror each other. Sans-IO.
 *
 * <p>A topic is bridged when it is a valid MQTT topic name (1–65,535 UTF-8 bytes, no U+0000, no
 * wildcard) and {@code mqtt:T} is a valid hub channel (at most {@value Commands#MAX_CHANNEL_LENGTH}
 * characters, no spaces or control characters). Topics starting with {@code $} (the broker's own,
 * such as {@code $SYS/…}) are never bridged.
 */
public final class MqttMapping {
    /** The hub namespace of bridged channels. */
    public static final String NAMESPACE = "mqtt";
    static final String PREFIX = NAMESPACE + ":";
    /** The longest topic whose channel {@code mqtt:T} still fits the hub's channel-name limit. */
    public static final int MAX_TOPIC_LENGTH = Commands.MAX_CHANNEL_LENGTH - PREFIX.length();

    private MqttMapping() {
    }

    /** {@code mqtt:T} for topic {@code T}; throws {@link IllegalArgumentException} saying why a topic is not bridged. */
    public static String channelOf(String topic) {
        checkTopic(topic);
        return PREFIX + topic;
    }

    /** {@code T} for channel {@code mqtt:T}; throws {@link IllegalArgumentException} for any other channel. */
    public static String topicOf(String channel) {
        if (channel == null || !channel.startsWith(PREFIX)) {
            throw new IllegalArgumentException("Channel '" + channel + "' is not in the namespace '" + NAMESPACE
                    + "' (bridged channels are mqtt:TOPIC)");
        }
        String topic = channel.substring(PREFIX.length());
        checkTopic(topic);
        return topic;
    }

    /** Null if {@code topic} is bridged, else why not. */
    public static String problem(String topic) {
        if (topic == null || topic.isEmpty()) {
            return "MQTT topic is empty";
        }
        if (topic.length() > MAX_TOPIC_LENGTH) {
            return "MQTT topic is longer than " + MAX_TOPIC_LENGTH + " characters (its channel mqtt:TOPIC must fit "
                    + Commands.MAX_CHANNEL_LENGTH + ")";
        }
        if (topic.startsWith("$")) {
            return "MQTT topic '" + topic + "' starts with '$' (the broker's own topics are not bridged)";
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#') {
                return "MQTT topic '" + topic + "' holds the wildcard '" + c + "' (a topic name has none)";
            }
            if (c <= ' ' || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
                return "MQTT topic holds a space or control character at index " + i
                        + " (hub channel names have no space or control character)";
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < topic.length()
                        && Character.isLowSurrogate(topic.charAt(i + 1));
                if (!paired) {
                    return "MQTT topic holds an unpaired surrogate at index " + i + " (not valid UTF-8)";
                }
                i++;
            }
        }
        // At most 250 chars of at most 3 UTF-8 bytes (4 for a pair of 2 chars): always under 65,535 bytes.
        assert topic.getBytes(StandardCharsets.UTF_8).length <= 65_535;
        return null;
    }

    /** Throws {@link IllegalArgumentException} with {@link #problem}'s message unless {@code topic} is bridged. */
    public static void checkTopic(String topic) {
        String problem = problem(topic);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }
}
