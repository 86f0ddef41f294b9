package dev.duplex.protocol.handshake;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects an HTTP/1.1 head from bytes split anywhere, then parses it. Each byte is looked at once
 * while collecting (the blank line is found by a 4-state matcher, never by rescanning), so the cost
 * is linear however the input is chunked (CVE-2023-43669 class); limits are checked as bytes
 * arrive, so an oversized head is refused as soon as it crosses the limit.
 *
 * <p>This class is not thread safe.
 */
public final class HttpHeadParser {
    private final HttpLimits limits;
    private byte[] head = new byte[512];
    private int size;
    private int matched; // progress through "\r\n\r\n"
    private int firstLineEnd = -1;
    private boolean complete;

    public HttpHeadParser(HttpLimits limits) {
        this.limits = limits;
    }

    /**
     * Consumes bytes of {@code in} up to the end of the head; bytes after it stay in {@code in}.
     *
     * @return whether the head is complete
     * @throws HandshakeRejection 414 or 431 when a limit is crossed
     */
    public boolean feed(ByteBuffer in) throws HandshakeRejection {
        while (!complete && in.hasRemaining()) {
            byte b = in.get();
            if (size == limits.maxHeadBytes()) {
                throw new HandshakeRejection(431, "Request head exceeds " + limits.maxHeadBytes() + " bytes");
            }
            if (size == head.length) {
                head = java.util.Arrays.copyOf(head, Math.min(head.length * 2, limits.maxHeadBytes()));
            }
            head[size++] = b;
            matched = switch (b) {
                case '\r' -> (matched == 0 || matched == 2) ? matched + 1 : 1;
                case '\n' -> (matched == 1 || matched == 3) ? matched + 1 : 0;
                default -> 0;
            };
            if (matched == 2 && firstLineEnd < 0) {
                firstLineEnd = size - 2;
            }
            // The CR that ends the request line is not part of it (matched == 1: it was just read).
            if (firstLineEnd < 0 && size > limits.maxRequestLineBytes() + (matched == 1 ? 1 : 0)) {
                throw new HandshakeRejection(414, "Request line exceeds " + limits.maxRequestLineBytes() + " bytes");
            }
            complete = matched == 4;
        }
        return complete;
    }

    public boolean isComplete() {
        return complete;
    }

    /** Parses the collected head as a request. */
    public HttpRequest request() throws HandshakeRejection {
        List<String> lines = lines();
        String[] parts = splitStartLine(lines.get(0), "request line");
        if (!HeaderTokens.isToken(parts[0])) {
            throw new HandshakeRejection(400, "Malformed request method");
        }
        if (!parts[2].startsWith("HTTP/")) {
            throw new HandshakeRejection(400, "Malformed HTTP version in the request line");
        }
        return new HttpRequest(parts[0], parts[1], parts[2], headers(lines));
    }

    /** Parses the collected head as a response. */
    public HttpResponse response() throws HandshakeRejection {
        List<String> lines = lines();
        String line = lines.get(0);
        int sp1 = line.indexOf(' ');
        if (sp1 < 0 || !line.startsWith("HTTP/") || line.length() < sp1 + 4) {
            throw new HandshakeRejection(400, "Malformed status line: " + abbreviate(line));
        }
        // RFC 9112 §4: status-code = 3DIGIT, then a space or the end of the line; RFC 9110 §15: 100-599.
        // Integer.parseInt alone took "+12", "-99", "050" and the first three digits of "1011"
        // (found by HandshakeFuzzTest).
        if (!isStatusCode(line, sp1 + 1)) {
            throw new HandshakeRejection(400, "Malformed status code in: " + abbreviate(line));
        }
        int status = Integer.parseInt(line.substring(sp1 + 1, sp1 + 4));
        String reason = line.length() > sp1 + 5 ? line.substring(sp1 + 5) : "";
        return new HttpResponse(line.substring(0, sp1), status, reason, headers(lines));
    }

    /** Three digits from {@code at}, the first 1-5, then a space or the end of the line. */
    private static boolean isStatusCode(String line, int at) {
        if (line.charAt(at) < '1' || line.charAt(at) > '5') {
            return false;
        }
        for (int i = at + 1; i < at + 3; i++) {
            if (line.charAt(i) < '0' || line.charAt(i) > '9') {
                return false;
            }
        }
        return line.length() == at + 3 || line.charAt(at + 3) == ' ';
    }

    private List<String> lines() throws HandshakeRejection {
        if (!complete) {
            throw new IllegalStateException("The head is not complete yet");
        }
        List<String> lines = new ArrayList<>();
        int start = 0;
        int end = size - 2; // drop the final CRLF of the blank line
        for (int i = 0; i < end; i++) {
            byte b = head[i];
            if (b == '\r' && head[i + 1] == '\n') {
                lines.add(new String(head, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 2;
                i++;
            } else if (b == '\r' || b == '\n') {
                throw new HandshakeRejection(400, "Header lines must end with CRLF; found a bare "
                        + (b == '\r' ? "CR" : "LF"));
            } else if (b == 0) {
                throw new HandshakeRejection(400, "NUL byte in the request head");
            }
        }
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw new HandshakeRejection(400, "Empty request line");
        }
        return lines;
    }

    private HttpHeaders headers(List<String> lines) throws HandshakeRejection {
        if (lines.size() - 1 > limits.maxHeaderCount()) {
            throw new HandshakeRejection(431, "More than " + limits.maxHeaderCount() + " header fields");
        }
        List<HttpHeaders.Field> fields = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.isEmpty() && HeaderTokens.isWhitespace(line.charAt(0))) {
                throw new HandshakeRejection(400, "Folded header lines are not allowed (RFC 9112 §5.2)");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new HandshakeRejection(400, "Malformed header line: " + abbreviate(line));
            }
            String name = line.substring(0, colon);
            if (!HeaderTokens.isToken(name)) {
                throw new HandshakeRejection(400, "Malformed header name: " + abbreviate(name));
            }
            fields.add(new HttpHeaders.Field(name, HeaderTokens.trim(line, colon + 1, line.length())));
        }
        return new HttpHeaders(fields);
    }

    private static String[] splitStartLine(String line, String what) throws HandshakeRejection {
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || sp2 == sp1 + 1 || line.indexOf(' ', sp2 + 1) >= 0) {
            throw new HandshakeRejection(400, "Malformed " + what + ": " + abbreviate(line));
        }
        return new String[] {line.substring(0, sp1), line.substring(sp1 + 1, sp2), line.substring(sp2 + 1)};
    }

    /** Keeps echoed input short and printable in error messages. */
    static String abbreviate(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return s.length() > 80 ? b + "…" : b.toString();
    }
}
