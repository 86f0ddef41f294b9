package dev.duplex.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MqttPayloadsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode in(String payload) {
        return MqttPayloads.toData(payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aJsonPayloadBecomesJsonData() throws Exception {
        assertEquals(JSON.readTree("{\"t\":21.5,\"unit\":\"C\"}"), in("{\"t\":21.5,\"unit\":\"C\"}"));
        assertEquals(JSON.readTree("[1,2,3]"), in(" [1, 2, 3]\n"));
        assertEquals(JSON.readTree("42"), in("42"));
        assertEquals(JsonNodeFactory.instance.booleanNode(true), in("true"));
        assertEquals(NullNode.instance, in("null"));
        assertEquals(TextNode.valueOf("quoted"), in("\"quoted\""));
    }

    @Test
    void anyOtherUtf8PayloadBecomesAString() {
        assertEquals(TextNode.valueOf("ON"), in("ON"));
        assertEquals(TextNode.valueOf("21.5 C"), in("21.5 C"));
        assertEquals(TextNode.valueOf("{\"t\":1} trailing"), in("{\"t\":1} trailing"));
        assertEquals(TextNode.valueOf("{broken"), in("{broken"));
        assertEquals(TextNode.valueOf(""), in(""));
        assertEquals(TextNode.valueOf("  "), in("  "));
        assertEquals(TextNode.valueOf("Grüße"), in("Grüße"));
        // JSON, but an integer beyond 64 bits has no MessagePack form: the hub could not carry it as a number
        assertEquals(TextNode.valueOf("123456789012345678901234567890"), in("123456789012345678901234567890"));
    }

    @Test
    void invalidUtf8BecomesBinary() {
        byte[] bytes = {(byte) 0xff, 0x00, (byte) 0xc3, 0x28};
        assertEquals(BinaryNode.valueOf(bytes), MqttPayloads.toData(bytes));
    }

    @Test
    void hubDataBecomesAPayload() throws Exception {
        assertArrayEquals("ON".getBytes(StandardCharsets.UTF_8), MqttPayloads.toPayload(TextNode.valueOf("ON")));
        assertArrayEquals("{\"set\":20}".getBytes(StandardCharsets.UTF_8), MqttPayloads.toPayload(JSON.readTree("{\"set\": 20}")));
        assertArrayEquals("[1,\"a\"]".getBytes(StandardCharsets.UTF_8), MqttPayloads.toPayload(JSON.readTree("[1, \"a\"]")));
        assertArrayEquals("7".getBytes(StandardCharsets.UTF_8), MqttPayloads.toPayload(JSON.readTree("7")));
        assertArrayEquals("null".getBytes(StandardCharsets.UTF_8), MqttPayloads.toPayload(NullNode.instance));
        byte[] bytes = {1, 2, (byte) 0xff};
        assertArrayEquals(bytes, MqttPayloads.toPayload(BinaryNode.valueOf(bytes)));
    }

    @Test
    void roundTrips() throws Exception {
        for (String payload : new String[] {"{\"a\":[1,2.5,null]}", "ON", "", "Grüße", "true"}) {
            byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(bytes, MqttPayloads.toPayload(MqttPayloads.toData(bytes)), payload);
        }
    }
}
