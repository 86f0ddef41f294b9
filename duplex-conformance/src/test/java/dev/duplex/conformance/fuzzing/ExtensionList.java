package dev.duplex.conformance.fuzzing;

import java.util.ArrayList;
import java.util.List;

/**
 * The fuzzing peers' own parser for {@code Sec-WebSocket-Extensions} (RFC 6455 §9.1), sharing
 * nothing with the engine under test:
 *
 * <pre>
 * extension-list = 1#extension
 * extension      = token *( OWS ";" OWS extension-param )
 * extension-param = token [ "=" ( token / quoted-string ) ]   ; a quoted value must be a token once unescaped
 * </pre>
 *
 * Empty list elements are skipped (RFC 9110 §5.6.1.2).
 */
final class ExtensionList {
    /** One extension element: its name and parameters in order (value null when absent). */
    record Element(String name, List<Param> params) {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(name);
            for (Param p : params) {
                s.append("; ").append(p.name());
                if (p.value() != null) {
                    s.append('=').append(p.value());
                }
            }
            return s.toString();
        }
    }

    record Param(String name, String value) {
    }

    private final String s;
    private int at;

    private ExtensionList(String s) {
        this.s = s;
    }

    /** @throws IllegalArgumentException with the reason, for a value that breaks the grammar */
    static List<Element> parse(String header) {
        return new ExtensionList(header).list();
    }

    private List<Element> list() {
        List<Element> out = new ArrayList<>();
        while (true) {
            skipSpace();
            if (at == s.length()) {
                break;
            }
            if (s.charAt(at) == ',') {
                at++;
                continue; // an empty element
            }
            out.add(element());
            skipSpace();
            if (at < s.length()) {
                expect(',');
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no extension in \"" + s + "\"");
        }
        return out;
    }

    private Element element() {
        String name = token("extension name");
        List<Param> params = new ArrayList<>();
        while (true) {
            skipSpace();
            if (at == s.length() || s.charAt(at) != ';') {
                return new Element(name, params);
            }
            at++;
            skipSpace();
            String param = token("parameter name");
            skipSpace();
            String value = null;
            if (at < s.length() && s.charAt(at) == '=') {
                at++;
                skipSpace();
                if (at < s.length() && s.charAt(at) == '"') {
                    value = quoted();
                    if (value.isEmpty() || !value.chars().allMatch(ExtensionList::isTokenChar)) {
                        throw new IllegalArgumentException("quoted value \"" + value + "\" of " + param + " is not a token (RFC 6455 §9.1)");
                    }
                } else {
                    value = token("value of " + param);
                }
            }
            params.add(new Param(param, value));
        }
    }

    private String token(String what) {
        int start = at;
        while (at < s.length() && isTokenChar(s.charAt(at))) {
            at++;
        }
        if (at == start) {
            throw new IllegalArgumentException("expected " + what + " at offset " + start + " of \"" + s + "\"");
        }
        return s.substring(start, at);
    }

    private String quoted() {
        StringBuilder b = new StringBuilder();
        at++; // the opening quote
        while (at < s.length()) {
            char c = s.charAt(at++);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                if (at == s.length()) {
                    break;
                }
                c = s.charAt(at++);
            }
            b.append(c);
        }
        throw new IllegalArgumentException("unterminated quoted string in \"" + s + "\"");
    }

    private void expect(char c) {
        if (at >= s.length() || s.charAt(at) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at offset " + at + " of \"" + s + "\"");
        }
        at++;
    }

    private void skipSpace() {
        while (at < s.length() && (s.charAt(at) == ' ' || s.charAt(at) == '\t')) {
            at++;
        }
    }

    /** RFC 9110 tchar. */
    static boolean isTokenChar(int c) {
        return c > 32 && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}
