package dev.duplex.hub.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.msgpack.jackson.dataformat.MessagePackFactory;

/**
 * One wire format of the hub protocol, chosen by WebSocket subprotocol: {@link #JSON}
 * ({@value #JSON_SUBPROTOCOL}, text messages) or {@link #MSGPACK} ({@value #MSGPACK_SUBPROTOCOL},
 * binary messages, same field names). Both sides use it: the hub decodes commands and encodes server
 * messages, the client the other way round. Thread-safe.
 */
public final class HubCodec {
    public static final String JSON_SUBPROTOCOL = "duplex.v1.json";
    public static final String MSGPACK_SUBPROTOCOL = "duplex.v1.msgpack";

    /** Deeper JSON than this is refused before it can cost stack or memory. */
    public static final int MAX_NESTING_DEPTH = 64;

    public static final HubCodec JSON = new HubCodec(JSON_SUBPROTOCOL, false, new JsonFactory());
    public static final HubCodec MSGPACK = new HubCodec(MSGPACK_SUBPROTOCOL, true, new MessagePackFactory());

    private final String subprotocol;
    private final boolean binary;
    private final ObjectMapper mapper;

    private HubCodec(String subprotocol, boolean binary, JsonFactory factory) {
        factory.setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .build());
        this.subprotocol = subprotocol;
        this.binary = binary;
        this.mapper = new ObjectMapper(factory)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false);
        // A mistyped field is an error the client should hear about, not something to guess at:
        // no "7" for 7, no 123 for "123".
        mapper.coercionConfigDefaults()
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        for (LogicalType exact : new LogicalType[] {LogicalType.Textual, LogicalType.Integer, LogicalType.Float,
                LogicalType.Boolean}) {
            // ...while each scalar type still accepts its own shape.
            mapper.coercionConfigFor(exact).setCoercion(shapeOf(exact), CoercionAction.TryConvert);
        }
    }

    private static CoercionInputShape shapeOf(LogicalType type) {
        switch (type) {
            case Textual:
                return CoercionInputShape.String;
            case Integer:
                return CoercionInputShape.Integer;
            case Float:
                return CoercionInputShape.Float;
            default:
                return CoercionInputShape.Boolean;
        }
    }

    /** The codec for a negotiated subprotocol, or null if it is not one of ours. */
    public static HubCodec forSubprotocol(String subprotocol) {
        if (JSON_SUBPROTOCOL.equals(subprotocol)) {
            return JSON;
        }
        if (MSGPACK_SUBPROTOCOL.equals(subprotocol)) {
            return MSGPACK;
        }
        return null;
    }

    public String subprotocol() {
        return subprotocol;
    }

    /** True if messages travel as WebSocket binary messages, false for text. */
    public boolean binary() {
        return binary;
    }

    /** The mapper of this format, for converting application data to and from {@link JsonNode}. */
    public ObjectMapper mapper() {
        return mapper;
    }

    public byte[] encode(ServerMessage message) {
        return write(message, ServerMessage.class);
    }

    public byte[] encode(Command command) {
        return write(command, Command.class);
    }

    private byte[] write(Object value, Class<?> type) {
        try {
            return mapper.writerFor(type).writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // our own records always serialise
        }
    }

    /**
     * Reads and validates one command. Errors name the field at fault and carry the command id when
     * it could be read, so the reply can be matched to the command.
     */
    public Command decodeCommand(byte[] bytes, int offset, int length) throws ProtocolException {
        JsonNode tree = readTree(bytes, offset, length);
        Long id = readId(tree);
        Command command = convert(tree, Command.class, id);
        Commands.validate(command);
        return command;
    }

    public Command decodeCommand(byte[] bytes) throws ProtocolException {
        return decodeCommand(bytes, 0, bytes.length);
    }

    /** Reads one server message (the client side). */
    public ServerMessage decodeServerMessage(byte[] bytes, int offset, int length) throws ProtocolException {
        JsonNode tree = readTree(bytes, offset, length);
        return convert(tree, ServerMessage.class, readId(tree));
    }

    public ServerMessage decodeServerMessage(byte[] bytes) throws ProtocolException {
        return decodeServerMessage(bytes, 0, bytes.length);
    }

    private JsonNode readTree(byte[] bytes, int offset, int length) throws ProtocolException {
        if (binary) {
            // The MessagePack parser trusts declared lengths and has no depth limit: check first.
            MessagePackCheck.check(bytes, offset, length);
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(bytes, offset, length);
        } catch (IOException | RuntimeException e) {
            // RuntimeException: the MessagePack library reports some malformed input unchecked; it
            // is still the client's bad message, not our failure.
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Malformed " + formatName() + ": "
                    + firstLine(e), null);
        }
        if (tree == null || !tree.isObject()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "A message must be an object with a \"type\" field", null);
        }
        if (!tree.path("type").isTextual()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"type\" (a string)", readIdQuietly(tree));
        }
        return tree;
    }

    private static Long readId(JsonNode tree) throws ProtocolException {
        JsonNode id = tree.get("id");
        if (id == null || id.isNull()) {
            return null;
        }
        if (!id.canConvertToExactIntegral() || !id.canConvertToLong()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Field \"id\" must be an integer", null);
        }
        return id.asLong();
    }

    private static Long readIdQuietly(JsonNode tree) {
        try {
            return readId(tree);
        } catch (ProtocolException e) {
            return null;
        }
    }

    private <T> T convert(JsonNode tree, Class<T> type, Long id) throws ProtocolException {
        try {
            return mapper.treeToValue(tree, type);
        } catch (InvalidTypeIdException e) {
            throw new ProtocolException(ErrorCode.UNKNOWN_COMMAND, "Unknown message type \""
                    + tree.path("type").asText() + "\"", id);
        } catch (MismatchedInputException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Field \"" + fieldPath(e)
                    + "\" has the wrong type", id);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "Invalid message: " + firstLine(e), id);
        }
    }

    private static String fieldPath(MismatchedInputException e) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "?" : path.toString();
    }

    private String formatName() {
        return binary ? "MessagePack" : "JSON";
    }

    private static String firstLine(Exception e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
