package dev.duplex.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into nodes that remember their line, so that every error can say where the
 * key is. Read with Jackson's YAML parser (SnakeYAML underneath); duplicate keys and a second
 * document are errors.
 */
final class YamlTree {
    private YamlTree() {
    }

    /** A node: a mapping, a sequence or a scalar, at a line (1-based). */
    sealed interface Node permits Mapping, Sequence, Scalar {
        int line();
    }

    /** Keys in file order, each with the line of the key. */
    record Mapping(int line, Map<String, Entry> entries) implements Node {
    }

    record Entry(String key, int line, Node value) {
    }

    record Sequence(int line, List<Node> items) implements Node {
    }

    /** A scalar's text and what YAML made of it; {@code null} for an empty value or {@code ~}. */
    record Scalar(int line, String text, Setting.ScalarType type) implements Node {
        boolean isNull() {
            return text == null;
        }
    }

    /** The document cannot be read; {@link #line} is 0 when unknown. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;
        final int line;

        SyntaxException(int line, String message) {
            super(message);
            this.line = line;
        }
    }

    /** The document's top-level node, or null for an empty document. */
    static Node parse(String yaml) throws SyntaxException {
        try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            Node root = read(parser, first);
            JsonToken extra = parser.nextToken();
            if (extra != null) {
                throw new SyntaxException(line(parser.currentTokenLocation()),
                        "a second YAML document (only one is read)");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String message = e.getOriginalMessage();
            int newline = message == null ? -1 : message.indexOf('\n');
            String first = message == null ? e.getClass().getSimpleName() : newline < 0 ? message : message.substring(0, newline);
            throw new SyntaxException(at == null ? 0 : line(at), "YAML syntax error: " + first.strip());
        } catch (IOException e) {
            throw new SyntaxException(0, "could not be read: " + e.getMessage());
        }
    }

    private static Node read(YAMLParser parser, JsonToken token) throws IOException, SyntaxException {
        int line = line(parser.currentTokenLocation());
        switch (token) {
            case START_OBJECT -> {
                Map<String, Entry> entries = new LinkedHashMap<>();
                JsonToken t;
                while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = line(parser.currentTokenLocation());
                    Node value = read(parser, parser.nextToken());
                    Entry previous = entries.put(key, new Entry(key, keyLine, value));
                    if (previous != null) {
                        throw new SyntaxException(keyLine, "duplicate key '" + key + "' (first at line "
                                + previous.line() + ")");
                    }
                }
                return new Mapping(line, entries);
            }
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                JsonToken t;
                while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(read(parser, t));
                }
                return new Sequence(line, items);
            }
            case VALUE_NULL -> {
                return new Scalar(line, null, Setting.ScalarType.STRING);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new Scalar(line, Boolean.toString(token == JsonToken.VALUE_TRUE), Setting.ScalarType.BOOLEAN);
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return new Scalar(line, parser.getText(), Setting.ScalarType.NUMBER);
            }
            case VALUE_STRING -> {
                return new Scalar(line, parser.getText(), Setting.ScalarType.STRING);
            }
            default -> throw new SyntaxException(line, "unsupported YAML content (" + token + ")");
        }
    }

    private static int line(JsonLocation location) {
        return location == null ? 0 : location.getLineNr();
    }
}
