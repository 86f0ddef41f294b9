package dev.duplex.protocol.handshake;

import dev.duplex.protocol.extension.ExtensionHeader;
import dev.duplex.protocol.extension.ExtensionOffer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The client side of the opening handshake (RFC 6455 §4.1): builds the request with a fresh
 * random key and checks the server's response strictly: 101, the right {@code Upgrade},
 * {@code Connection} and {@code Sec-WebSocket-Accept}, and only a subprotocol or extensions we
 * offered. Anything else fails, so a 426 or a forged 101 never opens a tunnel (WebSocket smuggling).
 */
public final class ClientHandshake {

    /** What the server agreed to. */
    public record Agreed(String subprotocol, List<ExtensionOffer> extensions, HttpResponse response) {
    }

    private final URI uri;
    private final List<String> subprotocols;
    private final List<ExtensionOffer> extensions;
    private final List<HttpHeaders.Field> headers;
    private final String key;

    /**
     * @param uri a {@code ws://} or {@code wss://} URI
     * @param headers extra request headers; names must be tokens and values free of CR, LF and NUL
     * @param random the source of the 16-byte key
     * @throws IllegalArgumentException for a bad URI, subprotocol or header (header injection is refused here)
     */
    public ClientHandshake(URI uri, List<String> subprotocols, List<ExtensionOffer> extensions,
            List<HttpHeaders.Field> headers, Random random) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("A WebSocket URI starts with ws:// or wss://, not: " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("The WebSocket URI has no host: " + uri);
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("A WebSocket URI must not have a fragment (RFC 6455 §3): " + uri);
        }
        for (String protocol : subprotocols) {
            if (!HeaderTokens.isToken(protocol)) {
                throw new IllegalArgumentException("A subprotocol must be a token (no spaces, commas or control characters): " + protocol);
            }
        }
        for (HttpHeaders.Field field : headers) {
            if (!HeaderTokens.isToken(field.name())) {
                throw new IllegalArgumentException("Header name is not a token: " + HttpHeadParser.abbreviate(field.name()));
            }
            if (!HeaderTokens.isSafeValue(field.value())) {
                throw new IllegalArgumentException("Header " + field.name() + " holds CR, LF, NUL or another control character");
            }
        }
        this.uri = uri;
        this.subprotocols = List.copyOf(subprotocols);
        this.extensions = List.copyOf(extensions);
        this.headers = List.copyOf(headers);
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        this.key = Base64.getEncoder().encodeToString(nonce);
    }

    public String key() {
        return key;
    }

    public byte[] requestBytes() {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        StringBuilder b = new StringBuilder(256)
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader()).append("\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        if (!subprotocols.isEmpty()) {
            b.append("Sec-WebSocket-Protocol: ").append(String.join(", ", subprotocols)).append("\r\n");
        }
        if (!extensions.isEmpty()) {
            b.append("Sec-WebSocket-Extensions: ").append(ExtensionHeader.format(extensions)).append("\r\n");
        }
        for (HttpHeaders.Field field : headers) {
            b.append(field.name()).append(": ").append(field.value()).append("\r\n");
        }
        return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private String hostHeader() {
        boolean secure = uri.getScheme().equalsIgnoreCase("wss");
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (secure ? port == 443 : port == 80);
        return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
    }

    /** Checks the response. @throws HandshakeException with the status and a sentence saying what was wrong */
    public Agreed validate(HttpResponse response) throws HandshakeException {
        HttpHeaders h = response.headers();
        if (response.status() != 101) {
            throw new HandshakeException(response.status(), "Server answered " + response.status() + " "
                    + response.reason() + " instead of 101 Switching Protocols");
        }
        if (!h.hasToken("Upgrade", "websocket")) {
            throw new HandshakeException(101, "Server's 101 response lacks 'Upgrade: websocket'");
        }
        if (!h.hasToken("Connection", "upgrade")) {
            throw new HandshakeException(101, "Server's 101 response lacks 'Connection: Upgrade'");
        }
        if (h.count("Sec-WebSocket-Accept") != 1 || !AcceptKey.of(key).equals(h.first("Sec-WebSocket-Accept"))) {
            throw new HandshakeException(101, "Server's Sec-WebSocket-Accept does not match our key: not a WebSocket server, or a proxy in the way");
        }
        String protocol = null;
        List<String> protocols = h.all("Sec-WebSocket-Protocol");
        if (!protocols.isEmpty()) {
            if (protocols.size() > 1 || HeaderTokens.split(protocols.get(0)).size() != 1) {
                throw new HandshakeException(101, "Server selected more than one subprotocol");
            }
            protocol = protocols.get(0).trim();
            if (!subprotocols.contains(protocol)) {
                throw new HandshakeException(101, "Server selected subprotocol '" + HttpHeadParser.abbreviate(protocol)
                        + "', which we did not offer");
            }
        }
        List<ExtensionOffer> agreed;
        try {
            agreed = ExtensionHeader.parse(h.all("Sec-WebSocket-Extensions"));
        } catch (IllegalArgumentException e) {
            throw new HandshakeException(101, "Server's Sec-WebSocket-Extensions is malformed: " + e.getMessage());
        }
        List<String> offeredNames = new ArrayList<>();
        for (ExtensionOffer offer : extensions) {
            offeredNames.add(offer.name().toLowerCase(Locale.ROOT));
        }
        for (ExtensionOffer extension : agreed) {
            if (!offeredNames.contains(extension.name().toLowerCase(Locale.ROOT))) {
                throw new HandshakeException(101, "Server accepted extension '" + extension.name() + "', which we did not offer");
            }
        }
        return new Agreed(protocol, agreed, response);
    }
}
