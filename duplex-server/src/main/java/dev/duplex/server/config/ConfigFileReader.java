package dev.duplex.server.config;

import dev.duplex.server.config.ServeConfig.Namespace;
import dev.duplex.server.config.ServeConfig.Value;
import dev.duplex.server.config.YamlTree.Entry;
import dev.duplex.server.config.YamlTree.Mapping;
import dev.duplex.server.config.YamlTree.Node;
import dev.duplex.server.config.YamlTree.Scalar;
import dev.duplex.server.config.YamlTree.Sequence;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the YAML configuration file into {@link ConfigValues}: top-level keys, the {@code hub} and
 * {@code tokens} sections, {@code default_namespace} and {@code namespaces}. Unknown keys are errors
 * with a suggestion ("did you mean 'hub.heartbeat'?"); values are parsed by their {@link Setting}.
 */
final class ConfigFileReader {
    private final ConfigValues values;
    private final ConfigProblems problems;
    private final String fileName;

    ConfigFileReader(ConfigValues values, ConfigProblems problems) {
        this.values = values;
        this.problems = problems;
        this.fileName = values.fileName;
    }

    void read() {
        String text;
        try {
            text = Files.readString(values.file);
        } catch (NoSuchFileException e) {
            problems.error("cannot read the configuration file " + fileName + ": it does not exist");
            return;
        } catch (CharacterCodingException e) {
            problems.error("cannot read the configuration file " + fileName + ": it is not UTF-8 text");
            return;
        } catch (IOException e) {
            problems.error("cannot read the configuration file " + fileName + ": " + e.getMessage());
            return;
        }
        Node root;
        try {
            root = YamlTree.parse(text);
        } catch (YamlTree.SyntaxException e) {
            problems.error(e.getMessage() + " in " + fileName + (e.line > 0 ? " line " + e.line : ""));
            return;
        }
        if (root == null) {
            return;
        }
        if (!(root instanceof Mapping top)) {
            problems.error(fileName + " must hold keys and values (key: value), not " + what(root));
            return;
        }
        for (Entry e : top.entries().values()) {
            String key = e.key();
            if (key.equals(Settings.HUB) || key.equals(Settings.TOKENS)) {
                section(e);
            } else if (key.equals(Settings.DEFAULT_NAMESPACE)) {
                namespaceBlock(e, values.defaultNamespace, Settings.DEFAULT_NAMESPACE);
            } else if (key.equals(Settings.NAMESPACES)) {
                namespaceList(e);
            } else if (!key.contains(".") && Settings.global(key) != null) {
                set(Settings.global(key), e, values.global);
            } else {
                unknown(key, key, e.line(), Settings.namesIn(""));
            }
        }
    }

    private void section(Entry e) {
        Mapping m = mapping(e, e.key());
        if (m == null) {
            return;
        }
        for (Entry inner : m.entries().values()) {
            String key = e.key() + "." + inner.key();
            Setting s = Settings.global(key);
            if (s == null) {
                unknown(key, inner.key(), inner.line(), Settings.namesIn(e.key()));
            } else {
                set(s, inner, values.global);
            }
        }
    }

    private void namespaceBlock(Entry e, Map<String, Value> target, String prefix) {
        Mapping m = mapping(e, prefix);
        if (m == null) {
            return;
        }
        for (Entry inner : m.entries().values()) {
            Setting s = Settings.namespace(inner.key());
            if (s == null) {
                unknown(prefix + "." + inner.key(), inner.key(), inner.line(), Settings.namespaceNames());
            } else {
                set(s, inner, target, prefix + "." + inner.key());
            }
        }
    }

    private void namespaceList(Entry e) {
        Mapping m = mapping(e, Settings.NAMESPACES);
        if (m == null) {
            return;
        }
        for (Entry ns : m.entries().values()) {
            Map<String, Value> namespace = new LinkedHashMap<>();
            ConfigValues.putNamespaceDefaults(namespace);
            namespaceBlock(ns, namespace, Settings.NAMESPACES + "." + ns.key());
            values.namespaces.put(ns.key(), new Namespace(ns.line(), namespace));
        }
    }

    /** The entry's mapping; null (and no error) when empty, null with an error when not a mapping. */
    private Mapping mapping(Entry e, String key) {
        if (e.value() instanceof Mapping m) {
            return m;
        }
        if (e.value() instanceof Scalar s && s.isNull()) {
            return null;
        }
        problems.error("'" + key + "' in " + fileName + " line " + e.line() + " must hold keys and values (key: value), not "
                + what(e.value()));
        return null;
    }

    private void set(Setting s, Entry e, Map<String, Value> target) {
        set(s, e, target, s.key());
    }

    private void set(Setting s, Entry e, Map<String, Value> target, String label) {
        Source source = Source.file(fileName, e.line());
        Node node = e.value();
        try {
            if (node instanceof Scalar scalar) {
                if (scalar.isNull()) {
                    return; // "key:" with nothing: the default
                }
                target.put(s.key(), new Value(s.parse(scalar.text(), scalar.type(), Setting.Origin.FILE), source));
            } else if (node instanceof Sequence seq && s.kind() == Setting.Kind.LIST) {
                List<String> items = new ArrayList<>();
                for (Node item : seq.items()) {
                    if (!(item instanceof Scalar is) || is.isNull() || is.type() == Setting.ScalarType.BOOLEAN) {
                        throw new IllegalArgumentException("expected a list of strings; item " + (items.size() + 1)
                                + " is " + what(item));
                    }
                    items.add(is.text());
                }
                target.put(s.key(), new Value(List.copyOf(items), source));
            } else {
                throw new IllegalArgumentException("expected " + (s.kind() == Setting.Kind.LIST ? "a list" : "a single value")
                        + ", got " + what(node));
            }
        } catch (IllegalArgumentException ex) {
            problems.invalid(label, source, ex.getMessage());
        }
    }

    private void unknown(String key, String name, int line, Set<String> candidates) {
        unknown(key, name, line, new ArrayList<>(candidates));
    }

    private void unknown(String key, String name, int line, List<String> candidates) {
        String hint = Suggestions.closest(name, candidates);
        if (hint == null) {
            // In another section? "heartbeat" at the top level is "hub.heartbeat".
            for (String full : Settings.allKeys()) {
                if (full.endsWith("." + name) && !full.equals(key)) {
                    hint = full;
                    break;
                }
            }
        }
        problems.error("unknown key '" + key + "' in " + fileName + " line " + line
                + (hint == null ? "" : " (did you mean '" + hint + "'?)"));
    }

    private static String what(Node node) {
        if (node instanceof Mapping) {
            return "a mapping (key: value lines)";
        }
        if (node instanceof Sequence) {
            return "a list";
        }
        Scalar s = (Scalar) node;
        return s.isNull() ? "an empty value" : "'" + s.text() + "'";
    }
}
