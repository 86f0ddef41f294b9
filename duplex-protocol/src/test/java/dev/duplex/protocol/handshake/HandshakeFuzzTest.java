package dev.duplex.protocol.handshake;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.protocol.extension.ExtensionHeader;
import dev.duplex.protocol.extension.ExtensionOffer;
import dev.duplex.protocol.extension.deflate.DeflateAgreement;
import dev.duplex.protocol.extension.deflate.DeflateNegotiation;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Fuzzes the HTTP head parser and both sides of the opening handshake with arbitrary bytes, fed in
 * reads of a size the fuzzer chooses.
 *
 * <p>Invariants: the {@link HttpLimits} hold as bytes arrive and the head ends exactly at its blank
 * line; a refusal carries one of the statuses the code documents and a message, and its response
 * reads back as exactly what was meant (no header value with CR, LF or NUL, nothing echoed into the
 * head); an accepted handshake answers with the right {@code Sec-WebSocket-Accept} for its key and
 * only what was offered; nothing else is thrown.
 *
 * <p>Input layout of {@link #serverHandshake}: byte 0 the limits (bits 0-1 maxHeadBytes
 * {16384, 64, 256, 1024}, bits 2-3 maxRequestLineBytes {8192, 16, 40, 200}, bits 4-5 maxHeaderCount
 * {100, 1, 3, 10}); byte 1 the policy (0x01 choose the first subprotocol offered, 0x02 negotiate
 * permessage-deflate with options from bits 2-5, 0x40 allow only the origin https://ok.example);
 * byte 2 the read size (0: all at once); then the request.
 *
 * <p>Input layout of {@link #clientHandshake}: byte 0 the limits, as above; byte 1 the client (0x01
 * offer the subprotocols chat and superchat, 0x02 offer permessage-deflate with options from bits
 * 2-5); byte 2 the read size; then the response, in which every {@code @ACCEPT@} becomes the right
 * {@code Sec-WebSocket-Accept} value for the client's key (so that the fuzzer reaches a 101).
 */
class HandshakeFuzzTest {
    private static final int[] HEAD_LIMITS = {16 * 1024, 64, 256, 1024};
    private static final int[] LINE_LIMITS = {8 * 1024, 16, 40, 200};
    private static final int[] HEADER_COUNTS = {100, 1, 3, 10};
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final byte[] ACCEPT_PLACEHOLDER = "@ACCEPT@".getBytes(StandardCharsets.ISO_8859_1);
    /** Statuses ServerHandshake.accept documents, and those of the head parser. */
    private static final Set<Integer> ACCEPT_STATUSES = Set.of(400, 403, 405, 426);
    private static final Set<Integer> PARSER_STATUSES = Set.of(400, 414, 431);

    // ------------------------------------------------------------------ the server side

    @FuzzTest(maxDuration = "10m")
    void serverHandshake(byte[] input) {
        HttpLimits limits = limits(at(input, 0));
        int policyBits = at(input, 1);
        byte[] request = Arrays.copyOfRange(input, Math.min(3, input.length), input.length);
        HttpHeadParser parser = new HttpHeadParser(limits);
        int headLength;
        try {
            headLength = collect(parser, limits, request, at(input, 2));
        } catch (HandshakeRejection rejection) {
            checkRefusal(rejection, PARSER_STATUSES);
            return;
        }
        if (headLength < 0) {
            return; // the head never ended: the server waits (and answers 408 after its timeout)
        }
        HttpRequest parsed;
        try {
            parsed = parser.request();
        } catch (HandshakeRejection rejection) {
            checkRefusal(rejection, PARSER_STATUSES);
            return;
        }
        checkRequest(parsed, limits);
        Policy policy = new Policy(policyBits);
        ServerHandshake.Accepted accepted;
        try {
            accepted = ServerHandshake.accept(parsed, policy);
        } catch (HandshakeRejection rejection) {
            checkRefusal(rejection, ACCEPT_STATUSES);
            return;
        }
        checkAccepted(parsed, accepted, policy);
    }

    /** What a server decides, as the WebSocket module's policy does. */
    private static final class Policy implements ServerHandshake.Policy {
        final int bits;
        final DeflateOptions deflate;
        List<String> offeredSubprotocols = List.of();

        Policy(int bits) {
            this.bits = bits;
            this.deflate = (bits & 0x02) != 0 ? deflateOptions(bits >> 2) : null;
        }

        @Override
        public boolean isOriginAllowed(String origin, String host) {
            return (bits & 0x40) == 0 || "https://ok.example".equals(origin);
        }

        @Override
        public String selectSubprotocol(List<String> offered) {
            offeredSubprotocols = offered;
            return (bits & 0x01) != 0 ? offered.get(0) : null;
        }

        @Override
        public List<ExtensionOffer> negotiateExtensions(List<ExtensionOffer> offered) {
            if (deflate == null) {
                return List.of();
            }
            DeflateNegotiation.Accepted accepted = DeflateNegotiation.accept(offered, deflate);
            return accepted == null ? List.of() : List.of(accepted.response());
        }
    }

    private static void checkRequest(HttpRequest request, HttpLimits limits) {
        check(HeaderTokens.isToken(request.method()), "method is not a token: " + request.method());
        check(request.version().startsWith("HTTP/"), "version: " + request.version());
        check(!request.target().isEmpty() && request.target().indexOf(' ') < 0 && noLineBreaks(request.target()),
                "target: " + request.target());
        request.path();
        request.query();
        List<HttpHeaders.Field> fields = request.headers().fields();
        check(fields.size() <= limits.maxHeaderCount(), fields.size() + " header fields, over " + limits.maxHeaderCount());
        for (HttpHeaders.Field field : fields) {
            check(HeaderTokens.isToken(field.name()), "header name is not a token: " + field.name());
            check(noLineBreaks(field.value()), "header value with CR, LF or NUL: " + field.value());
            check(field.value().equals(HeaderTokens.trim(field.value(), 0, field.value().length())),
                    "header value not trimmed: '" + field.value() + "'");
        }
    }

    private static void checkAccepted(HttpRequest request, ServerHandshake.Accepted accepted, Policy policy) {
        HttpHeaders h = request.headers();
        check(request.method().equals("GET") && request.version().equals("HTTP/1.1"), "accepted " + request.method()
                + " " + request.version());
        check(h.count("Host") == 1 && h.count("Sec-WebSocket-Key") == 1 && h.count("Sec-WebSocket-Version") == 1,
                "accepted without exactly one Host, key and version: " + h);
        check(h.hasToken("Upgrade", "websocket") && h.hasToken("Connection", "upgrade"), "accepted without the upgrade: " + h);
        check("13".equals(h.first("Sec-WebSocket-Version")), "accepted version " + h.first("Sec-WebSocket-Version"));
        check(policy.isOriginAllowed(h.first("Origin"), h.first("Host")), "accepted an origin the policy refuses");
        String key = accepted.key();
        check(key.equals(h.first("Sec-WebSocket-Key")), "the key is not the request's");
        byte[] nonce;
        try {
            nonce = Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("accepted a key that is not base64: " + key);
        }
        check(nonce.length == 16, "accepted a key of " + nonce.length + " bytes");

        HttpResponse response = readBack(accepted.responseBytes(List.of()));
        check(response.status() == 101 && response.version().equals("HTTP/1.1"), "101 expected: " + response);
        HttpHeaders r = response.headers();
        check(r.count("Sec-WebSocket-Accept") == 1 && acceptFor(key).equals(r.first("Sec-WebSocket-Accept")),
                "wrong Sec-WebSocket-Accept " + r.first("Sec-WebSocket-Accept") + " for " + key);
        check("websocket".equals(r.first("Upgrade")) && "Upgrade".equals(r.first("Connection")), "upgrade headers: " + r);
        int expected = 3;
        if (accepted.subprotocol() != null) {
            expected++;
            check(policy.offeredSubprotocols.contains(accepted.subprotocol()) && HeaderTokens.isToken(accepted.subprotocol()),
                    "subprotocol not offered: " + accepted.subprotocol());
            check(accepted.subprotocol().equals(r.first("Sec-WebSocket-Protocol")), "Sec-WebSocket-Protocol: " + r);
        }
        if (!accepted.extensions().isEmpty()) {
            expected++;
            check(policy.deflate != null, "extensions agreed without asking the policy");
            List<ExtensionOffer> agreed = ExtensionHeader.parse(r.all("Sec-WebSocket-Extensions"));
            check(agreed.equals(accepted.extensions()), "Sec-WebSocket-Extensions reads back as " + agreed);
            for (ExtensionOffer e : agreed) {
                check(e.name().equals(DeflateNegotiation.NAME), "agreed to " + e.name());
                for (ExtensionOffer.Param p : e.params()) {
                    check(p.value() == null || (p.value().matches("[0-9]+")
                            && Integer.parseInt(p.value()) >= 8 && Integer.parseInt(p.value()) <= 15),
                            "parameter out of range in " + e);
                }
            }
        }
        check(r.fields().size() == expected, "unexpected headers in the 101: " + r);
    }

    // ------------------------------------------------------------------ the client side

    @FuzzTest(maxDuration = "10m")
    void clientHandshake(byte[] input) {
        HttpLimits limits = limits(at(input, 0));
        int clientBits = at(input, 1);
        List<String> subprotocols = (clientBits & 0x01) != 0 ? List.of("chat", "superchat") : List.of();
        DeflateOptions deflate = (clientBits & 0x02) != 0 ? deflateOptions(clientBits >> 2) : null;
        ClientHandshake client = new ClientHandshake(URI.create("ws://server.example.com/chat"), subprotocols,
                deflate == null ? List.of() : List.of(DeflateNegotiation.offer(deflate)), List.of(), new Random(42));
        checkOwnRequest(client);

        byte[] response = replace(Arrays.copyOfRange(input, Math.min(3, input.length), input.length),
                ACCEPT_PLACEHOLDER, acceptFor(client.key()).getBytes(StandardCharsets.ISO_8859_1));
        HttpHeadParser parser = new HttpHeadParser(limits);
        HttpResponse parsed;
        try {
            if (collect(parser, limits, response, at(input, 2)) < 0) {
                return;
            }
            parsed = parser.response();
        } catch (HandshakeRejection rejection) {
            checkRefusal(rejection, PARSER_STATUSES);
            return;
        }
        check(parsed.status() >= 100 && parsed.status() <= 599, "a status line read as status " + parsed.status());
        check(parsed.headers().fields().size() <= limits.maxHeaderCount(), "too many header fields");
        ClientHandshake.Agreed agreed;
        try {
            agreed = client.validate(parsed);
        } catch (HandshakeException e) {
            check(e.getMessage() != null && !e.getMessage().isBlank(), "a handshake failure without a message");
            check(e.status() == parsed.status(), "failure status " + e.status()
                    + " for a response with " + parsed.status());
            return;
        }
        HttpHeaders h = parsed.headers();
        check(parsed.status() == 101, "agreed to a " + parsed.status());
        check(h.count("Sec-WebSocket-Accept") == 1 && acceptFor(client.key()).equals(h.first("Sec-WebSocket-Accept")),
                "agreed with Sec-WebSocket-Accept " + h.first("Sec-WebSocket-Accept"));
        check(agreed.subprotocol() == null || subprotocols.contains(agreed.subprotocol()),
                "agreed to subprotocol " + agreed.subprotocol());
        for (ExtensionOffer extension : agreed.extensions()) {
            check(deflate != null && extension.name().equalsIgnoreCase(DeflateNegotiation.NAME),
                    "agreed to an extension never offered: " + extension);
            DeflateAgreement agreement;
            try {
                agreement = DeflateNegotiation.validateResponse(extension, deflate);
            } catch (IllegalArgumentException e) {
                check(e.getMessage() != null && !e.getMessage().isBlank(), "a refused response without a reason");
                continue;
            }
            check(agreement.localWindowBits() >= 8 && agreement.localWindowBits() <= deflate.localMaxWindowBits(),
                    "our window " + agreement.localWindowBits() + " for " + extension);
            check(agreement.peerWindowBits() >= 8 && agreement.peerWindowBits() <= deflate.peerMaxWindowBits(),
                    "the server's window " + agreement.peerWindowBits() + " for " + extension);
            check(deflate.peerContextTakeover() || agreement.peerNoContextTakeover(),
                    "the server keeps its context against our request: " + extension);
            check(deflate.localContextTakeover() || agreement.localNoContextTakeover(),
                    "we keep our context against our own options: " + extension);
        }
    }

    /** Our own request must be one the server side accepts. */
    private static void checkOwnRequest(ClientHandshake client) {
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults());
        try {
            check(parser.feed(ByteBuffer.wrap(client.requestBytes())), "our request has no end");
            ServerHandshake.accept(parser.request(), new ServerHandshake.Policy() {
            });
        } catch (HandshakeRejection e) {
            throw new AssertionError("our own request is refused: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ shared

    /**
     * Feeds {@code bytes} in reads of {@code readSize} (0: one read) until the head is complete.
     *
     * @return the head's length, or -1 when the bytes ended first
     */
    private static int collect(HttpHeadParser parser, HttpLimits limits, byte[] bytes, int readSize)
            throws HandshakeRejection {
        int consumed = 0;
        int at = 0;
        while (at < bytes.length) {
            int end = readSize == 0 ? bytes.length : Math.min(bytes.length, at + readSize);
            ByteBuffer read = ByteBuffer.wrap(bytes, at, end - at);
            boolean complete;
            try {
                complete = parser.feed(read);
            } catch (HandshakeRejection rejection) {
                consumed += read.position() - at;
                checkLimitCrossed(rejection, limits, bytes, consumed);
                throw rejection;
            }
            consumed += read.position() - at;
            if (complete) {
                int headEnd = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)) + 4;
                check(consumed == headEnd, "the head ended after " + consumed + " bytes, its blank line after " + headEnd);
                check(consumed <= limits.maxHeadBytes(), "a head of " + consumed + " bytes passed " + limits.maxHeadBytes());
                int firstLine = indexOf(bytes, new byte[] {'\r', '\n'});
                check(firstLine <= limits.maxRequestLineBytes(), "a first line of " + firstLine + " bytes passed "
                        + limits.maxRequestLineBytes());
                check(parser.isComplete(), "feed() said complete, isComplete() does not");
                return consumed;
            }
            check(!read.hasRemaining(), "feed() left bytes of an incomplete head");
            at = end;
        }
        return -1;
    }

    /** A 414 or 431 from feed() is only for a head that really crosses the limit. */
    private static void checkLimitCrossed(HandshakeRejection rejection, HttpLimits limits, byte[] bytes, int consumed) {
        int headEnd = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (rejection.status() == 431) {
            check(headEnd < 0 || headEnd + 4 > limits.maxHeadBytes(), "431 for a head of " + (headEnd + 4) + " bytes");
            check(consumed == limits.maxHeadBytes() + 1, "431 after " + consumed + " bytes");
        } else if (rejection.status() == 414) {
            int firstLine = indexOf(bytes, new byte[] {'\r', '\n'});
            check(firstLine < 0 || firstLine > limits.maxRequestLineBytes(), "414 for a first line of " + firstLine + " bytes");
        } else {
            throw new AssertionError("feed() refused with " + rejection.status() + ": " + rejection.getMessage());
        }
    }

    /** A refusal: an expected status, a message, and a response that reads back exactly as meant. */
    private static void checkRefusal(HandshakeRejection rejection, Set<Integer> statuses) {
        check(statuses.contains(rejection.status()), "refused with status " + rejection.status() + ": " + rejection.getMessage());
        check(rejection.getMessage() != null && !rejection.getMessage().isBlank(), "refused without a message");
        for (HttpHeaders.Field f : rejection.headers()) {
            check(HeaderTokens.isToken(f.name()) && HeaderTokens.isSafeValue(f.value()), "unsafe header " + f);
        }
        byte[] bytes = ServerHandshake.rejectionBytes(rejection);
        HttpResponse response = readBack(bytes);
        check(response.status() == rejection.status(), "the refusal reads back as " + response.status());
        HttpHeaders h = response.headers();
        check(h.fields().size() == rejection.headers().size() + 3, "the refusal's head has other lines than meant: " + h);
        for (int i = 0; i < rejection.headers().size(); i++) {
            check(h.fields().get(i).equals(rejection.headers().get(i)), "header " + i + " reads back as " + h.fields().get(i));
        }
        byte[] body = (rejection.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        check(String.valueOf(body.length).equals(h.first("Content-Length")), "Content-Length " + h.first("Content-Length")
                + " for a body of " + body.length);
        check(h.hasToken("Connection", "close"), "a refusal must close the connection");
        check(Arrays.equals(Arrays.copyOfRange(bytes, bytes.length - body.length, bytes.length), body), "the body is not the message");
    }

    /** Parses a response we wrote, which must be one whole head and nothing else up to its body. */
    private static HttpResponse readBack(byte[] bytes) {
        HttpHeadParser parser = new HttpHeadParser(new HttpLimits(1 << 20, 1 << 20, 1000));
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            check(parser.feed(in), "our own response has no end");
            int headEnd = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)) + 4;
            check(in.position() == headEnd, "our own response's head ends early");
            for (int i = 0; i < headEnd; i++) {
                byte b = bytes[i];
                check(b != 0 && ((b != '\r' && b != '\n') || isLineEnd(bytes, i)), "a bare CR, LF or NUL in our own head");
            }
            return parser.response();
        } catch (HandshakeRejection e) {
            throw new AssertionError("our own response does not parse: " + e.getMessage());
        }
    }

    private static boolean isLineEnd(byte[] bytes, int i) {
        return bytes[i] == '\r' ? i + 1 < bytes.length && bytes[i + 1] == '\n' : i > 0 && bytes[i - 1] == '\r';
    }

    private static HttpLimits limits(int bits) {
        return new HttpLimits(HEAD_LIMITS[bits & 3], LINE_LIMITS[(bits >> 2) & 3], HEADER_COUNTS[(bits >> 4) & 3]);
    }

    /** Bit 0 and 1: no context takeover locally and for the peer; bits 2-3: window bits 8, 10, 12, 15. */
    private static DeflateOptions deflateOptions(int bits) {
        int[] windows = {15, 8, 10, 12};
        int window = windows[(bits >> 2) & 3];
        return DeflateOptions.defaults().withLocalContextTakeover((bits & 1) == 0).withPeerContextTakeover((bits & 2) == 0)
                .withLocalMaxWindowBits(window).withPeerMaxWindowBits(window);
    }

    /** RFC 6455 §1.3, computed here independently of {@link AcceptKey}. */
    private static String acceptFor(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean noLineBreaks(String s) {
        return s.indexOf('\r') < 0 && s.indexOf('\n') < 0 && s.indexOf('\0') < 0;
    }

    private static int indexOf(byte[] bytes, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= bytes.length; i++) {
            for (int k = 0; k < what.length; k++) {
                if (bytes[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] replace(byte[] bytes, byte[] what, byte[] with) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            if (i + what.length <= bytes.length && Arrays.equals(bytes, i, i + what.length, what, 0, what.length)) {
                out.writeBytes(with);
                i += what.length;
            } else {
                out.write(bytes[i++]);
            }
        }
        return out.toByteArray();
    }

    private static int at(byte[] input, int index) {
        return index < input.length ? input[index] & 0xFF : 0;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
