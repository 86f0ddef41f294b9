package dev.duplex.protocol.extension;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses and formats {@code Sec-WebSocket-Extensions} values (RFC 6455 §9.1):
 * {@code name *(";" param ["=" (token | quoted-string)]) *("," …)}. A single left-to-right pass; no
 * regular expressions, so an unclosed quoted string of backslashes costs linear time (compare
 * CVE-2020-7662).
 */
public final class ExtensionHeader {
    private ExtensionHeader() {
    }

    /**
     * Parses one or more header values.
     *
     * @throws IllegalArgumentException with a sentence naming the defect, for a malformed value
     */
    public static List<ExtensionOffer> parse(List<String> values) {
        List<ExtensionOffer> offers = new ArrayList<>();
        for (String value : values) {
            new Reader(value).readInto(offers);
        }
        return offers;
    }

    public static String format(List<ExtensionOffer> offers) {
        StringBuilder b = new StringBuilder();
        for (ExtensionOffer offer : offers) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(offer.name());
            for (ExtensionOffer.Param p : offer.params()) {
                b.append("; ").append(p.name());
                if (p.value() != null) {
                    b.append('=').append(p.value());
                }
            }
        }
        return b.toString();
    }

    private static final class Reader {
        private final String s;
        private int i;

        Reader(String s) {
            this.s = s;
        }

        void readInto(List<ExtensionOffer> offers) {
            while (true) {
                skipEmptyElements(); // RFC 9110 §5.6.1.2: empty list elements are ignored
                if (i == s.length()) {
                    return;
                }
                String name = token("extension name");
                List<ExtensionOffer.Param> params = new ArrayList<>();
                skipSpaces();
                while (i < s.length() && s.charAt(i) == ';') {
                    i++;
                    skipSpaces();
                    String param = token("parameter name");
                    skipSpaces();
                    String value = null;
                    if (i < s.length() && s.charAt(i) == '=') {
                        i++;
                        skipSpaces();
                        value = i < s.length() && s.charAt(i) == '"' ? quoted() : token("parameter value");
                        skipSpaces();
                    }
                    params.add(new ExtensionOffer.Param(param, value));
                }
                offers.add(new ExtensionOffer(name, params));
                if (i == s.length()) {
                    return;
                }
                if (s.charAt(i) != ',') {
                    throw new IllegalArgumentException("Unexpected '" + s.charAt(i) + "' at position " + i
                            + " of Sec-WebSocket-Extensions");
                }
            }
        }

        private void skipEmptyElements() {
            skipSpaces();
            while (i < s.length() && s.charAt(i) == ',') {
                i++;
                skipSpaces();
            }
        }

        private String token(String what) {
            int start = i;
            while (i < s.length() && dev.duplex.protocol.handshake.HeaderTokens.isTokenChar(s.charAt(i))) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("Missing " + what + " at position " + i + " of Sec-WebSocket-Extensions");
            }
            return s.substring(start, i);
        }

        /** A quoted-string; RFC 6455 §9.1 requires its content to be a token once unescaped. */
        private String quoted() {
            StringBuilder b = new StringBuilder();
            i++; // opening quote
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    String value = b.toString();
                    if (!dev.duplex.protocol.handshake.HeaderTokens.isToken(value)) {
                        throw new IllegalArgumentException("Quoted parameter value is not a token: \"" + value + "\"");
                    }
                    return value;
                }
                if (c == '\\') {
                    if (i == s.length()) {
                        break;
                    }
                    c = s.charAt(i++);
                }
                b.append(c);
            }
            throw new IllegalArgumentException("Unterminated quoted string in Sec-WebSocket-Extensions");
        }

        private void skipSpaces() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }
    }
}
