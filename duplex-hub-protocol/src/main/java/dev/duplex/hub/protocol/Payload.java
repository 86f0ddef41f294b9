package dev.duplex.hub.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.msgpack.jackson.dataformat.MessagePackGenerator;

/**
 * The {@code data} of a publication. On the hub it is kept encoded, in the wire format its publisher
 * used, and checked at publish time to have a form in the other format too: history costs what the
 * bytes cost (a decoded tree of small objects costs many times more), and a publication that could
 * not be delivered to some subscriber is refused before it gets an offset. Clients reading server
 * messages get it as a tree. Immutable.
 */
@JsonSerialize(using = Payload.Writer.class)
@JsonDeserialize(using = Payload.Reader.class)
public final class Payload {
    private final byte[] bytes;
    private final HubCodec format;
    private final JsonNode tree;

    private Payload(byte[] bytes, HubCodec format, JsonNode tree) {
        this.bytes = bytes;
        this.format = format;
        this.tree = tree;
    }

    /**
     * Encodes {@code data} in {@code format} after checking that it also has a form in the other
     * format (MessagePack holds no integer beyond 64 bits nor a decimal a double cannot; JSON holds no
     * binary, which becomes base64).
     *
     * @throws ProtocolException 107 saying why the data cannot be carried
     */
    public static Payload encode(JsonNode data, HubCodec format) throws ProtocolException {
        Objects.requireNonNull(data, "data");
        HubCodec other = format == HubCodec.JSON ? HubCodec.MSGPACK : HubCodec.JSON;
        byte[] encoded;
        try {
            encoded = format.mapper().writeValueAsBytes(data);
            other.mapper().writeValue(OutputStream.nullOutputStream(), data);
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Field \"data\" has no form in both JSON and MessagePack: "
                    + message, null);
        }
        return new Payload(encoded, format, null);
    }

    /** Data the hub itself or the HTTP API publishes, as JSON (see {@link #encode}). */
    public static Payload json(JsonNode data) throws ProtocolException {
        return encode(data, HubCodec.JSON);
    }

    /**
     * Data a broker kept: {@code bytes} in {@code format}, checked by {@link #encode} when they were
     * published. Not checked again: only for what the hub itself stored.
     */
    public static Payload stored(byte[] bytes, HubCodec format) {
        return new Payload(Objects.requireNonNull(bytes, "bytes"), Objects.requireNonNull(format, "format"), null);
    }

    /** The encoded bytes (the hub's form), or null for a tree. Shared: never modify them. */
    public byte[] bytes() {
        return bytes;
    }

    /** The format of {@link #bytes()}, or null for a tree. */
    public HubCodec format() {
        return format;
    }

    /** A tree, as a client reads it from a server message. */
    public static Payload of(JsonNode tree) {
        return new Payload(null, null, Objects.requireNonNull(tree, "tree"));
    }

    /** The data as a tree: decoded on each call when kept encoded. */
    public JsonNode tree() {
        if (tree != null) {
            return tree;
        }
        try {
            return format.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("a payload checked when it was encoded no longer decodes", e);
        }
    }

    /** Bytes held: the encoded size on the hub (what history and budgets count), 0 for a tree. */
    public int size() {
        return bytes == null ? 0 : bytes.length;
    }

    /** Whether the data is kept encoded (the hub's form) rather than as a tree. */
    public boolean encoded() {
        return bytes != null;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Payload other)) {
            return false;
        }
        if (bytes != null && other.bytes != null && format == other.format) {
            return Arrays.equals(bytes, other.bytes);
        }
        return tree().equals(other.tree());
    }

    @Override
    public int hashCode() {
        return tree().hashCode();
    }

    @Override
    public String toString() {
        return bytes != null && format == HubCodec.JSON ? new String(bytes, StandardCharsets.UTF_8) : tree().toString();
    }

    /**
     * Writes the data into a server message: JSON bytes into JSON as they are, otherwise token by
     * token from the stored format into the message's (once per publication and format: the hub
     * shares the encoded message between subscribers).
     */
    static final class Writer extends JsonSerializer<Payload> {
        @Override
        public void serialize(Payload value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value.bytes == null) {
                gen.writeTree(value.tree);
                return;
            }
            boolean toMsgPack = gen instanceof MessagePackGenerator;
            if (!toMsgPack && value.format == HubCodec.JSON) {
                gen.writeRawValue(new String(value.bytes, StandardCharsets.UTF_8));
                return;
            }
            try (JsonParser parser = value.format.mapper().getFactory().createParser(value.bytes)) {
                parser.nextToken();
                gen.copyCurrentStructure(parser);
            }
        }
    }

    /** Reads the data of a server message as a tree (the client side). */
    static final class Reader extends JsonDeserializer<Payload> {
        @Override
        public Payload deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return Payload.of(parser.readValueAsTree());
        }

        @Override
        public Payload getNullValue(DeserializationContext context) {
            return Payload.of(com.fasterxml.jackson.databind.node.NullNode.getInstance());
        }
    }
}
