package dev.duplex.websocket.internal;

import dev.duplex.protocol.handshake.HandshakeRejection;
import dev.duplex.protocol.handshake.HttpHeaders;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.websocket.HttpCall;
import dev.duplex.websocket.HttpReply;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;
import java.util.Locale;
import java.util.Map;

/**
 * One plain (non-upgrade) HTTP request after its head: checks how the body is framed, collects it
 * however slowly it arrives, builds the {@link HttpCall}, runs the handler and encodes the reply.
 * Only {@code Content-Length} bodies are accepted; the connection ends after the reply, so nothing
 * after the body is ever read as a request.
 */
final class PlainHttpExchange {
    private static final System.Logger LOG = System.getLogger("dev.duplex.websocket");
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final HttpRequest head;
    private final String path;
    private final String rawQuery;
    private final int length;
    private byte[] body;
    private int received;

    private PlainHttpExchange(HttpRequest head, String path, String rawQuery, int length) {
        this.head = head;
        this.path = path;
        this.rawQuery = rawQuery;
        this.length = length;
        this.body = new byte[Math.min(length, 8 * 1024)];
    }

    /**
     * Checks the request line and the body's framing.
     *
     * @throws HandshakeRejection 400 (malformed target, Host or Content-Length), 411 (a
     *     {@code Transfer-Encoding}), 413 (a body over {@code maxBodyBytes}) or 505 (not HTTP/1.x)
     */
    static PlainHttpExchange begin(HttpRequest request, int maxBodyBytes) throws HandshakeRejection {
        String version = request.version();
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new HandshakeRejection(505, "This server speaks HTTP/1.1");
        }
        HttpHeaders headers = request.headers();
        if (version.equals("HTTP/1.1") && headers.count("Host") != 1) {
            throw new HandshakeRejection(400, "An HTTP/1.1 request needs exactly one Host header (RFC 9112 §3.2)");
        }
        String target = originForm(request.target(), request.method());
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        if (headers.contains("Transfer-Encoding")) {
            throw new HandshakeRejection(411, "Send the request body with a Content-Length header;"
                    + " Transfer-Encoding (chunked) is not supported");
        }
        long length = contentLength(headers.all("Content-Length"));
        if (length > maxBodyBytes) {
            throw new HandshakeRejection(413, "The request body of " + length + " bytes exceeds the limit of "
                    + maxBodyBytes + " bytes");
        }
        return new PlainHttpExchange(request, path, query, (int) length);
    }

    /** The request-target in origin form ("/path?query"): an absolute-form target loses its scheme and authority. */
    private static String originForm(String target, String method) throws HandshakeRejection {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                throw new HandshakeRejection(400, "The request target must be visible ASCII (RFC 9112 §3.2)");
            }
        }
        if (target.startsWith("/")) {
            return target;
        }
        if (target.equals("*") && method.equals("OPTIONS")) {
            return target;
        }
        String lower = target.toLowerCase(Locale.ROOT);
        int authority = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
        if (authority < 0) {
            throw new HandshakeRejection(400, "Malformed request target");
        }
        int end = authority;
        while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') {
            end++;
        }
        return end == target.length() ? "/" : target.charAt(end) == '?' ? "/" + target.substring(end) : target.substring(end);
    }

    /** 0 without the header; every value must be the same decimal number (RFC 9110 §8.6). */
    private static long contentLength(List<String> values) throws HandshakeRejection {
        long length = -1;
        for (String value : values) {
            for (String element : value.split(",", -1)) {
                long parsed = parseLength(element.trim());
                if (length >= 0 && parsed != length) {
                    throw new HandshakeRejection(400, "Conflicting Content-Length values");
                }
                length = parsed;
            }
        }
        return Math.max(length, 0);
    }

    private static long parseLength(String digits) throws HandshakeRejection {
        if (digits.isEmpty() || digits.length() > 18) {
            throw new HandshakeRejection(400, "Invalid Content-Length");
        }
        long n = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw new HandshakeRejection(400, "Invalid Content-Length");
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** Whether the client waits for "100 Continue" before sending the body. */
    boolean expectsContinue() {
        return length > 0 && head.version().equals("HTTP/1.1") && head.headers().hasToken("Expect", "100-continue");
    }

    /**
     * Takes body bytes from {@code data}, at most what is still missing; grows the buffer only with
     * bytes actually received, so a large Content-Length costs nothing until its bytes arrive.
     *
     * @return whether the body is complete
     */
    boolean feed(ByteBuffer data) {
        int n = Math.min(data.remaining(), length - received);
        if (n > 0) {
            if (received + n > body.length) {
                body = Arrays.copyOf(body, (int) Math.min(length, Math.max((long) body.length * 2, received + n)));
            }
            data.get(body, received, n);
            received += n;
        }
        return received == length;
    }

    String method() {
        return head.method();
    }

    /** The path, for logs: visible ASCII (checked in {@link #begin}), shortened. */
    String pathForLog() {
        return path.length() <= 200 ? path : path.substring(0, 200) + "…";
    }

    /** {@code s} shortened, with anything but visible ASCII replaced by '?', for logs. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 201));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(c > 0x20 && c < 0x7F ? c : '?');
        }
        return s.length() > 200 ? b + "…" : b.toString();
    }

    boolean isHead() {
        return head.method().equals("HEAD");
    }

    /** The request for the handler; the collected body is handed over and dropped here. */
    HttpCall call(SocketAddress remote) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpHeaders.Field field : head.headers().fields()) {
            headers.computeIfAbsent(field.name(), name -> new ArrayList<>(1)).add(field.value());
        }
        byte[] complete = body.length == length ? body : Arrays.copyOf(body, length);
        body = null;
        return new HttpCall(head.method(), path, rawQuery, headers, complete, remote);
    }

    /** Runs {@code handler}; a failure or a null reply becomes 500 with a generic message, logged with the path only. */
    static HttpReply handle(Function<HttpCall, HttpReply> handler, HttpCall call, String pathForLog) {
        try {
            HttpReply reply = handler.apply(call);
            if (reply != null) {
                return reply;
            }
            LOG.log(System.Logger.Level.WARNING, "HTTP handler returned null for {0} {1}; answered 500",
                    call.method(), pathForLog);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "HTTP handler failed for " + call.method() + " " + pathForLog
                    + "; answered 500", e);
        }
        return internalError();
    }

    static HttpReply internalError() {
        return HttpReply.text(500, "Internal server error\n");
    }

    /** A refusal of the server's own (framing, timeout, overload) as a plain-text reply. */
    static byte[] refusalBytes(HandshakeRejection rejection) {
        HttpReply reply = HttpReply.text(rejection.status(), rejection.getMessage() + "\n");
        for (HttpHeaders.Field field : rejection.headers()) {
            reply = reply.withHeader(field.name(), field.value());
        }
        return encode(reply, false);
    }

    /**
     * The whole response: status line, the reply's headers, {@code Date} unless set,
     * {@code Content-Length} (except for 204 and 304), {@code Connection: close}, then the body
     * unless {@code headOnly}.
     */
    static byte[] encode(HttpReply reply, boolean headOnly) {
        int status = reply.status();
        StringBuilder b = new StringBuilder(256)
                .append("HTTP/1.1 ").append(status).append(' ').append(reply.reasonPhrase()).append("\r\n");
        for (Map.Entry<String, String> header : reply.headers()) {
            b.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        if (reply.header("Date") == null) {
            b.append("Date: ").append(IMF_FIXDATE.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
        }
        boolean bodyless = status == 204 || status == 304;
        if (!bodyless) {
            b.append("Content-Length: ").append(reply.bodyLength()).append("\r\n");
        }
        b.append("Connection: close\r\n\r\n");
        byte[] headBytes = b.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (headOnly || bodyless) {
            return headBytes;
        }
        byte[] all = Arrays.copyOf(headBytes, headBytes.length + reply.bodyLength());
        reply.body().get(all, headBytes.length, reply.bodyLength());
        return all;
    }
}
