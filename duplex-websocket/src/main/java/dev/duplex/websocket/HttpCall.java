package dev.duplex.websocket;

import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One plain HTTP request as the server's HTTP handler ({@link WebSocketServer#http}) receives it:
 * method, path, query, headers and the whole body. Immutable.
 *
 * <p>The query string may hold secrets (tokens, keys): {@link #toString()} leaves it out, and so
 * should your logs.
 */
public final class HttpCall {
    private final String method;
    private final String path;
    private final String rawQuery;
    private final Map<String, List<String>> headers;
    private final Map<String, List<String>> queryParameters;
    private final byte[] body;
    private final SocketAddress remoteAddress;

    /**
     * A request; the server builds one for each request it receives, tests may build their own.
     *
     * @param method the method as sent, e.g. {@code "GET"} (case-sensitive, RFC 9110 §9.1)
     * @param path the path as sent, percent-encoding intact, without the query
     * @param rawQuery the query after {@code '?'} as sent, or null when there was none
     * @param headers header values by name (names compare case-insensitively), or null for none
     * @param body the body (copied), or null for none
     * @param remoteAddress the client's address, or null
     */
    public HttpCall(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body,
            SocketAddress remoteAddress) {
        this.method = Objects.requireNonNull(method, "method");
        this.path = Objects.requireNonNull(path, "path");
        this.rawQuery = rawQuery;
        TreeMap<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, List<String>> header : (headers == null ? Map.<String, List<String>>of() : headers).entrySet()) {
            byName.computeIfAbsent(header.getKey(), name -> new ArrayList<>(1)).addAll(header.getValue());
        }
        byName.replaceAll((name, values) -> List.copyOf(values));
        this.headers = Collections.unmodifiableMap(byName);
        this.queryParameters = rawQuery == null ? Map.of() : decodeQuery(rawQuery);
        this.body = body == null ? new byte[0] : body.clone();
        this.remoteAddress = remoteAddress;
    }

    /** The method as sent: {@code "GET"}, {@code "POST"}, {@code "HEAD"}… */
    public String method() {
        return method;
    }

    /** The path as sent (e.g. {@code "/api/rooms/a%20b"}), percent-encoding intact, without the query. */
    public String path() {
        return path;
    }

    /** The query after {@code '?'} as sent, or null. It may hold secrets: never log it. */
    public String rawQuery() {
        return rawQuery;
    }

    /**
     * The first value of query parameter {@code name}, decoded ({@code application/x-www-form-urlencoded}:
     * {@code '+'} is a space, {@code %XX} escapes are UTF-8), or null when absent. A parameter without
     * {@code '='} has the value {@code ""}.
     */
    public String queryParameter(String name) {
        List<String> values = queryParameters.get(name);
        return values == null ? null : values.get(0);
    }

    /** Every value of query parameter {@code name}, decoded, in order; empty when absent. */
    public List<String> queryParameters(String name) {
        return queryParameters.getOrDefault(name, List.of());
    }

    /** All query parameters, decoded, in order of first appearance. */
    public Map<String, List<String>> queryParameters() {
        return queryParameters;
    }

    /** The first value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Every value of header {@code name} (case-insensitive), one per header line, in order; empty when absent. */
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /** Every header: an unmodifiable map whose keys compare case-insensitively. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The body (a copy); empty when the request had none. */
    public byte[] body() {
        return body.clone();
    }

    /** The body's length in bytes. */
    public int bodyLength() {
        return body.length;
    }

    /** The body decoded as UTF-8 (malformed bytes become U+FFFD). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The client's address (for a request through a proxy: the proxy's). */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** Method and path; never the query. */
    @Override
    public String toString() {
        return method + " " + path;
    }

    private static Map<String, List<String>> decodeQuery(String query) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        int start = 0;
        int length = query.length();
        for (int i = 0; i <= length; i++) {
            if (i == length || query.charAt(i) == '&') {
                if (i > start) {
                    int equals = query.indexOf('=', start);
                    String name;
                    String value;
                    if (equals < 0 || equals > i) {
                        name = decodeComponent(query, start, i);
                        value = "";
                    } else {
                        name = decodeComponent(query, start, equals);
                        value = decodeComponent(query, equals + 1, i);
                    }
                    parameters.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
                }
                start = i + 1;
            }
        }
        parameters.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(parameters);
    }

    /** Form decoding of {@code s[from, to)}; a '%' not followed by two hex digits stays as it is. */
    private static String decodeComponent(String s, int from, int to) {
        boolean plain = true;
        for (int i = from; i < to && plain; i++) {
            char c = s.charAt(i);
            plain = c != '%' && c != '+';
        }
        if (plain) {
            return s.substring(from, to);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes.write(' ');
                i++;
            } else if (c == '%' && hex(s, i + 1, to) >= 0 && hex(s, i + 2, to) >= 0) {
                bytes.write(hex(s, i + 1, to) << 4 | hex(s, i + 2, to));
                i += 3;
            } else {
                int end = i + 1;
                while (end < to && s.charAt(end) != '%' && s.charAt(end) != '+') {
                    end++;
                }
                byte[] utf8 = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
                i = end;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The value of the ASCII hex digit at {@code s[i]}, or -1. */
    private static int hex(String s, int i, int to) {
        if (i >= to) {
            return -1;
        }
        char c = s.charAt(i);
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
