package dev.duplex.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.protocol.Payload;
import dev.duplex.hub.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Payload rules, both ways. Sans-IO.
 *
 * <p>MQTT → hub: a payload that is one JSON value (surrounding whitespace allowed) becomes the
 * publication's {@code data} as that JSON, if the hub can carry it in both its formats (an integer
 * beyond 64 bits has no MessagePack form); any other valid UTF-8 payload becomes a JSON string of its
 * text; anything else becomes binary, which the hub carries as MessagePack binary (JSON clients
 * receive it as a base64 string, see PROTOCOL.md).
 *
 * <p>Hub → MQTT: a string is written as its raw UTF-8 text, binary as its bytes, any other
 * {@code data} as JSON text.
 */
public final class MqttPayloads {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private MqttPayloads() {
    }

    /** The hub {@code data} for an MQTT payload. */
    public static JsonNode toData(byte[] payload) {
        String text = utf8(payload);
        if (text == null) {
            return BinaryNode.valueOf(payload);
        }
        JsonNode json = json(text);
        return json != null ? json : TextNode.valueOf(text);
    }

    /** The MQTT payload for hub {@code data}. */
    public static byte[] toPayload(JsonNode data) {
        if (data.isTextual()) {
            return data.textValue().getBytes(StandardCharsets.UTF_8);
        }
        if (data.isBinary()) {
            return ((BinaryNode) data).binaryValue();
        }
        try {
            return JSON.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("data has no JSON text: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode json(String text) {
        if (text.isBlank()) {
            return null;
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(text);
        } catch (IOException notJson) {
            return null;
        }
        if (tree == null || tree.isMissingNode()) {
            return null;
        }
        try {
            Payload.json(tree); // the hub's own check: a form in both JSON and MessagePack
        } catch (ProtocolException noMessagePackForm) {
            return null;
        }
        return tree;
    }

    private static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
