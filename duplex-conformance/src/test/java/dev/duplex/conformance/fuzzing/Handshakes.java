package dev.duplex.conformance.fuzzing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** The fuzzing peers' own RFC 6455 §4 opening handshake, both sides, independent of the engine. */
final class Handshakes {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_HEAD = 16 * 1024;

    private Handshakes() {
    }

    /** A parsed HTTP head: the start line and headers with lower-case names. */
    record Head(String startLine, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    static String acceptKey(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every JDK", e);
        }
    }

    /** Reads up to and including the empty line; the stream is left at the first octet after it. */
    static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int last = 0;
        while (last != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the HTTP head");
            }
            buf.write(b);
            if (buf.size() > MAX_HEAD) {
                throw new IOException("HTTP head longer than " + MAX_HEAD + " octets");
            }
            last = (last << 8) | b;
        }
        String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        return new Head(lines[0], headers);
    }

    /**
     * Client side: sends the upgrade request, with {@code extensions} as {@code Sec-WebSocket-Extensions}
     * unless null, and checks the 101 answer. An answer with extensions when we offered none is
     * refused; otherwise the caller checks the extensions agreed.
     *
     * @return the server's answer
     * @throws IOException if refused
     */
    static Head client(InputStream in, OutputStream out, String hostPort, String pathAndQuery, Random random, String extensions)
            throws IOException {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String request = "GET " + pathAndQuery + " HTTP/1.1\r\n"
                + "Host: " + hostPort + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n")
                + "User-Agent: duplex-fuzzing-client\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Head head = readHead(in);
        if (!head.startLine().startsWith("HTTP/1.1 101")) {
            throw new IOException("server answered " + head.startLine());
        }
        String accept = head.header("Sec-WebSocket-Accept");
        if (!acceptKey(key).equals(accept)) {
            throw new IOException("wrong Sec-WebSocket-Accept " + accept);
        }
        if (extensions == null && head.header("Sec-WebSocket-Extensions") != null) {
            throw new IOException("server agreed to extensions nobody offered: " + head.header("Sec-WebSocket-Extensions"));
        }
        return head;
    }

    /** A valid upgrade request: its target (path and query), key and head. */
    record Request(String target, String key, Head head) {
    }

    /**
     * Server side: reads the request; answers 400 when it is not a valid upgrade. The caller then
     * answers with {@link #accept}.
     *
     * @throws IOException if the request is not a WebSocket upgrade (after answering 400)
     */
    static Request readRequest(InputStream in, OutputStream out) throws IOException {
        Head head = readHead(in);
        String[] parts = head.startLine().split(" ");
        String key = head.header("Sec-WebSocket-Key");
        String upgrade = head.header("Upgrade");
        if (parts.length != 3 || !parts[0].equals("GET") || key == null || upgrade == null
                || !upgrade.equalsIgnoreCase("websocket") || !"13".equals(head.header("Sec-WebSocket-Version"))) {
            reject(out);
            throw new IOException("not a WebSocket upgrade: " + head.startLine());
        }
        return new Request(parts[1], key, head);
    }

    /** Answers 101, with {@code extensions} as {@code Sec-WebSocket-Extensions} unless null. */
    static void accept(OutputStream out, Request request, String extensions) throws IOException {
        String response = "HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + acceptKey(request.key()) + "\r\n"
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n")
                + "Server: duplex-fuzzing-server\r\n\r\n";
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Answers 400. */
    static void reject(OutputStream out) throws IOException {
        out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}
