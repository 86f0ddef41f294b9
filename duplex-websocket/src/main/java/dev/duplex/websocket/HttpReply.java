package dev.duplex.websocket;

import dev.duplex.protocol.handshake.HeaderTokens;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The answer of the server's HTTP handler ({@link WebSocketServer#http}): status, headers and
 * body. Immutable; {@code with…} methods return copies.
 *
 * <pre>{@code
 * HttpReply.json(200, "{\"ok\":true}").withHeader("Cache-Control", "no-store")
 * }</pre>
 *
 * <p>The server adds {@code Content-Length}, {@code Connection: close} and {@code Date} (unless
 * set here) when it writes the reply. Header names must be tokens and values must not hold CR, LF
 * or NUL, so a reply cannot inject headers; {@code Content-Length}, {@code Transfer-Encoding} and
 * {@code Connection} belong to the server and are refused.
 */
public final class HttpReply {
    private static final byte[] EMPTY = new byte[0];

    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;

    private HttpReply(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** {@code text} as UTF-8, {@code Content-Type: text/plain; charset=utf-8}. */
    public static HttpReply text(int status, String text) {
        return bytes(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code json} (already serialized) as UTF-8, {@code Content-Type: application/json}. */
    public static HttpReply json(int status, String json) {
        return bytes(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code body} (copied) with the given {@code Content-Type}. */
    public static HttpReply bytes(int status, String contentType, byte[] body) {
        return new HttpReply(checkStatus(status, body.length), List.of(header("Content-Type", contentType)), body.clone());
    }

    /** A reply without a body or {@code Content-Type}, e.g. {@code empty(204)}. */
    public static HttpReply empty(int status) {
        return new HttpReply(checkStatus(status, 0), List.of(), EMPTY);
    }

    /**
     * A copy with {@code name} set to {@code value}, replacing any value it had.
     *
     * @throws IllegalArgumentException if {@code name} is not a token, {@code value} holds CR, LF,
     *     NUL or a character above U+00FF, or {@code name} is one the server sets itself
     */
    public HttpReply withHeader(String name, String value) {
        Map.Entry<String, String> added = header(name, value);
        List<Map.Entry<String, String>> copy = new ArrayList<>(headers.size() + 1);
        for (Map.Entry<String, String> h : headers) {
            if (!h.getKey().equalsIgnoreCase(name)) {
                copy.add(h);
            }
        }
        copy.add(added);
        return new HttpReply(status, Collections.unmodifiableList(copy), body);
    }

    /** A copy with one more {@code name} line (for headers that may repeat, such as {@code Set-Cookie}); same checks as {@link #withHeader}. */
    public HttpReply withAddedHeader(String name, String value) {
        Map.Entry<String, String> added = header(name, value);
        List<Map.Entry<String, String>> copy = new ArrayList<>(headers.size() + 1);
        copy.addAll(headers);
        copy.add(added);
        return new HttpReply(status, Collections.unmodifiableList(copy), body);
    }

    /** The status code, 200–599. */
    public int status() {
        return status;
    }

    /** The standard reason phrase of {@link #status()} ({@code "Not Found"}), or a generic one for unregistered codes. */
    public String reasonPhrase() {
        return reasonPhrase(status);
    }

    /** The headers in the order they will be written (without those the server adds). */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** The first value of {@code name} (case-insensitive), or null. */
    public String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    /** The body, read-only (not a copy). */
    public ByteBuffer body() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    /** The body's length in bytes. */
    public int bodyLength() {
        return body.length;
    }

    @Override
    public String toString() {
        return status + " " + reasonPhrase() + " (" + body.length + " bytes)";
    }

    private static int checkStatus(int status, int bodyLength) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("An HTTP reply's status is 200–599: " + status);
        }
        if ((status == 204 || status == 304) && bodyLength > 0) {
            throw new IllegalArgumentException("A " + status + " reply has no body");
        }
        return status;
    }

    private static Map.Entry<String, String> header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, () -> "value of " + name);
        if (!HeaderTokens.isToken(name)) {
            throw new IllegalArgumentException("Not a valid header name: '" + printable(name) + "'");
        }
        if (!HeaderTokens.isSafeValue(value)) {
            throw new IllegalArgumentException("The value of " + name + " holds CR, LF, NUL or a character above U+00FF");
        }
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")
                || name.equalsIgnoreCase("Connection")) {
            throw new IllegalArgumentException(name + " is set by the server");
        }
        return Map.entry(name, value);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return b.toString();
    }

    /** RFC 9110 §15 reason phrases. */
    static String reasonPhrase(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 203 -> "Non-Authoritative Information";
            case 204 -> "No Content";
            case 205 -> "Reset Content";
            case 206 -> "Partial Content";
            case 300 -> "Multiple Choices";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 304 -> "Not Modified";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 402 -> "Payment Required";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 407 -> "Proxy Authentication Required";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 411 -> "Length Required";
            case 412 -> "Precondition Failed";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 416 -> "Range Not Satisfiable";
            case 417 -> "Expectation Failed";
            case 421 -> "Misdirected Request";
            case 422 -> "Unprocessable Content";
            case 425 -> "Too Early";
            case 426 -> "Upgrade Required";
            case 428 -> "Precondition Required";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 451 -> "Unavailable For Legal Reasons";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> status < 300 ? "Success" : status < 400 ? "Redirection" : status < 500 ? "Client Error" : "Server Error";
        };
    }
}
