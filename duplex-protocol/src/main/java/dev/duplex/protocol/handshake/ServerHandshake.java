package dev.duplex.protocol.handshake;

import dev.duplex.protocol.extension.ExtensionHeader;
import dev.duplex.protocol.extension.ExtensionOffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The server side of the opening handshake (RFC 6455 §4.2): validates a request, asks the
 * {@link Policy} about origin, subprotocol and extensions, and builds the 101 response or the
 * rejection. Stateless.
 */
public final class ServerHandshake {

    /** The decisions an application makes about a handshake. Defaults accept any origin and decline everything optional. */
    public interface Policy {
        /**
         * @param origin the {@code Origin} header, or null when the client sent none (non-browser clients)
         * @param host the {@code Host} header, which the origin of a same-origin page matches
         */
        default boolean isOriginAllowed(String origin, String host) {
            return true;
        }

        /** Picks one of the client's subprotocols, in its order of preference, or null for none. */
        default String selectSubprotocol(List<String> offered) {
            return null;
        }

        /** Picks the extensions to use, with their response parameters; empty to decline all. */
        default List<ExtensionOffer> negotiateExtensions(List<ExtensionOffer> offered) {
            return List.of();
        }
    }

    /** A handshake the server accepts: what to answer and what was agreed. */
    public record Accepted(HttpRequest request, String key, String subprotocol, List<ExtensionOffer> extensions) {

        /** The 101 response, with optional extra header lines (already validated by the caller). */
        public byte[] responseBytes(List<HttpHeaders.Field> extraHeaders) {
            StringBuilder b = new StringBuilder(192)
                    .append("HTTP/1.1 101 Switching Protocols\r\n")
                    .append("Upgrade: websocket\r\n")
                    .append("Connection: Upgrade\r\n")
                    .append("Sec-WebSocket-Accept: ").append(AcceptKey.of(key)).append("\r\n");
            if (subprotocol != null) {
                b.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
            }
            if (!extensions.isEmpty()) {
                b.append("Sec-WebSocket-Extensions: ").append(ExtensionHeader.format(extensions)).append("\r\n");
            }
            for (HttpHeaders.Field field : extraHeaders) {
                b.append(field.name()).append(": ").append(field.value()).append("\r\n");
            }
            return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private ServerHandshake() {
    }

    /**
     * Validates {@code request} as a WebSocket upgrade.
     *
     * @throws HandshakeRejection with 400, 403, 405 or 426 and a sentence saying what was wrong
     */
    public static Accepted accept(HttpRequest request, Policy policy) throws HandshakeRejection {
        HttpHeaders headers = request.headers();
        if (!"GET".equals(request.method())) {
            throw new HandshakeRejection(405, "A WebSocket upgrade must use GET, not " + request.method() + " (RFC 6455 §4.1)",
                    List.of(new HttpHeaders.Field("Allow", "GET")));
        }
        if (!"HTTP/1.1".equals(request.version())) {
            throw new HandshakeRejection(400, "A WebSocket upgrade must use HTTP/1.1, not " + request.version()
                    + " (RFC 6455 §4.1)");
        }
        requireSingle(headers, "Host");
        if (headers.contains("Transfer-Encoding") || !isZero(headers.all("Content-Length"))) {
            throw new HandshakeRejection(400, "A WebSocket upgrade request must not have a body");
        }
        if (!headers.contains("Upgrade")) {
            throw new HandshakeRejection(426, "This is a WebSocket endpoint: send a GET with 'Upgrade: websocket'",
                    List.of(new HttpHeaders.Field("Upgrade", "websocket"),
                            new HttpHeaders.Field("Connection", "Upgrade"),
                            new HttpHeaders.Field("Sec-WebSocket-Version", "13")));
        }
        requireSingle(headers, "Upgrade");
        if (!headers.hasToken("Upgrade", "websocket")) {
            throw new HandshakeRejection(400, "The Upgrade header must name 'websocket' (RFC 6455 §4.2.1)");
        }
        if (!headers.hasToken("Connection", "upgrade")) {
            throw new HandshakeRejection(400, "The Connection header must include 'Upgrade' (RFC 6455 §4.2.1)");
        }
        String version = headers.first("Sec-WebSocket-Version");
        if (headers.count("Sec-WebSocket-Version") > 1 || !"13".equals(version)) {
            throw new HandshakeRejection(426, version == null
                    ? "Missing Sec-WebSocket-Version; this server speaks version 13 (RFC 6455 §4.4)"
                    : "Unsupported Sec-WebSocket-Version; this server speaks version 13 (RFC 6455 §4.4)",
                    List.of(new HttpHeaders.Field("Sec-WebSocket-Version", "13")));
        }
        requireSingle(headers, "Sec-WebSocket-Key");
        String key = headers.first("Sec-WebSocket-Key");
        if (!AcceptKey.isValidKey(key)) {
            throw new HandshakeRejection(400, "Sec-WebSocket-Key must be 16 random bytes in base64 (RFC 6455 §4.1)");
        }
        if (headers.count("Origin") > 1) {
            throw new HandshakeRejection(400, "More than one Origin header");
        }
        if (!policy.isOriginAllowed(headers.first("Origin"), headers.first("Host"))) {
            throw new HandshakeRejection(403, "Origin not allowed: " + HttpHeadParser.abbreviate(
                    String.valueOf(headers.first("Origin"))));
        }
        String subprotocol = selectSubprotocol(headers, policy);
        List<ExtensionOffer> extensions = negotiateExtensions(headers, policy);
        return new Accepted(request, key, subprotocol, extensions);
    }

    private static String selectSubprotocol(HttpHeaders headers, Policy policy) throws HandshakeRejection {
        List<String> offered = new ArrayList<>();
        for (String value : headers.all("Sec-WebSocket-Protocol")) {
            for (String protocol : HeaderTokens.split(value)) {
                if (!HeaderTokens.isToken(protocol)) {
                    throw new HandshakeRejection(400, "Sec-WebSocket-Protocol values must be tokens: "
                            + HttpHeadParser.abbreviate(protocol));
                }
                offered.add(protocol);
            }
        }
        if (offered.isEmpty()) {
            return null;
        }
        String chosen = policy.selectSubprotocol(List.copyOf(offered));
        if (chosen != null && !offered.contains(chosen)) {
            throw new IllegalStateException("The subprotocol policy chose '" + chosen + "', which the client did not offer");
        }
        return chosen;
    }

    private static List<ExtensionOffer> negotiateExtensions(HttpHeaders headers, Policy policy) throws HandshakeRejection {
        List<String> values = headers.all("Sec-WebSocket-Extensions");
        if (values.isEmpty()) {
            return List.of();
        }
        List<ExtensionOffer> offered;
        try {
            offered = ExtensionHeader.parse(values);
        } catch (IllegalArgumentException e) {
            throw new HandshakeRejection(400, e.getMessage());
        }
        return offered.isEmpty() ? List.of() : List.copyOf(policy.negotiateExtensions(offered));
    }

    private static void requireSingle(HttpHeaders headers, String name) throws HandshakeRejection {
        int count = headers.count(name);
        if (count == 0) {
            throw new HandshakeRejection(400, "Missing " + name + " header (RFC 6455 §4.1)");
        }
        if (count > 1) {
            throw new HandshakeRejection(400, "More than one " + name + " header");
        }
    }

    private static boolean isZero(List<String> contentLengths) {
        for (String value : contentLengths) {
            if (!"0".equals(value.trim())) {
                return false;
            }
        }
        return true;
    }

    /**
     * A complete rejection response: status line, the rejection's headers, a plain-text body with
     * its message, and {@code Connection: close} — the caller closes the connection after writing
     * it and processes no byte that followed the request (WebSocket smuggling class).
     */
    public static byte[] rejectionBytes(HandshakeRejection rejection) {
        byte[] body = (rejection.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(256)
                .append("HTTP/1.1 ").append(rejection.status()).append(' ').append(reasonPhrase(rejection.status())).append("\r\n");
        for (HttpHeaders.Field field : rejection.headers()) {
            b.append(field.name()).append(": ").append(field.value()).append("\r\n");
        }
        b.append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n\r\n");
        byte[] head = b.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** The standard reason phrase for the statuses a handshake can end with. */
    public static String reasonPhrase(int status) {
        return switch (status) {
            case 101 -> "Switching Protocols";
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 414 -> "URI Too Long";
            case 426 -> "Upgrade Required";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }
}
