package dev.duplex.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MqttMappingTest {
    @Test
    void topicAndChannelMirrorEachOther() {
        assertEquals("mqtt:sensors/t1", MqttMapping.channelOf("sensors/t1"));
        assertEquals("sensors/t1", MqttMapping.topicOf("mqtt:sensors/t1"));
        assertEquals("mqtt:/leading/and/trailing/", MqttMapping.channelOf("/leading/and/trailing/"));
        assertEquals("a//b", MqttMapping.topicOf(MqttMapping.channelOf("a//b")));
        assertEquals("mqtt:température/salle-1", MqttMapping.channelOf("température/salle-1"));
    }

    @Test
    void theLongestTopicFillsTheChannelLimit() {
        String longest = "t".repeat(250);
        assertEquals(250, MqttMapping.MAX_TOPIC_LENGTH);
        assertEquals(255, MqttMapping.channelOf(longest).length());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MqttMapping.channelOf(longest + "t"));
        assertEquals("MQTT topic is longer than 250 characters (its channel mqtt:TOPIC must fit 255)", e.getMessage());
    }

    @Test
    void topicsThatAreNotBridgedSayWhy() {
        assertEquals("MQTT topic is empty", MqttMapping.problem(""));
        assertEquals("MQTT topic is empty", MqttMapping.problem(null));
        assertEquals("MQTT topic 'sensors/+' holds the wildcard '+' (a topic name has none)", MqttMapping.problem("sensors/+"));
        assertEquals("MQTT topic 'sensors/#' holds the wildcard '#' (a topic name has none)", MqttMapping.problem("sensors/#"));
        assertEquals("MQTT topic '$SYS/broker/uptime' starts with '$' (the broker's own topics are not bridged)",
                MqttMapping.problem("$SYS/broker/uptime"));
        assertEquals("MQTT topic holds a space or control character at index 3 (hub channel names have no space or control character)",
                MqttMapping.problem("a/b c"));
        assertEquals("MQTT topic holds a space or control character at index 1 (hub channel names have no space or control character)",
                MqttMapping.problem("a\u0000"));
        assertEquals("MQTT topic holds an unpaired surrogate at index 1 (not valid UTF-8)", MqttMapping.problem("a\ud800b"));
        assertNull(MqttMapping.problem("emoji/\ud83d\ude00"));
    }

    @Test
    void onlyChannelsOfTheMqttNamespaceHaveATopic() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MqttMapping.topicOf("chat:lobby"));
        assertEquals("Channel 'chat:lobby' is not in the namespace 'mqtt' (bridged channels are mqtt:TOPIC)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MqttMapping.topicOf("mqtt:"));
        assertEquals("MQTT topic is empty", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MqttMapping.topicOf("mqtt:a/#"));
        assertEquals("MQTT topic 'a/#' holds the wildcard '#' (a topic name has none)", e.getMessage());
    }
}
