package dev.duplex.protocol.handshake;

import dev.duplex.protocol.ProtocolDefaults;

/**
 * Bounds on an HTTP request or response head, checked as bytes arrive.
 *
 * @param maxHeadBytes the whole head, request line to blank line; default 16 KiB (browsers send
 *     under 2 KiB; cookies can add a few). Exceeded: 431.
 * @param maxRequestLineBytes the first line; default 8 KiB. Exceeded: 414.
 * @param maxHeaderCount header lines; default 100 (compare CVE-2024-37890, where 2,000 headers
 *     crashed a server). Exceeded: 431.
 */
public record HttpLimits(int maxHeadBytes, int maxRequestLineBytes, int maxHeaderCount) {
    private static final HttpLimits DEFAULTS = new HttpLimits(ProtocolDefaults.MAX_HEAD_BYTES,
            ProtocolDefaults.MAX_REQUEST_LINE_BYTES, ProtocolDefaults.MAX_HEADER_COUNT);

    public HttpLimits {
        if (maxHeadBytes < 64 || maxRequestLineBytes < 16 || maxHeaderCount < 1) {
            throw new IllegalArgumentException("HTTP limits too small: head " + maxHeadBytes
                    + " bytes, request line " + maxRequestLineBytes + " bytes, " + maxHeaderCount + " headers");
        }
    }

    public static HttpLimits defaults() {
        return DEFAULTS;
    }

    public HttpLimits withMaxHeadBytes(int value) {
        return new HttpLimits(value, maxRequestLineBytes, maxHeaderCount);
    }

    public HttpLimits withMaxRequestLineBytes(int value) {
        return new HttpLimits(maxHeadBytes, value, maxHeaderCount);
    }

    public HttpLimits withMaxHeaderCount(int value) {
        return new HttpLimits(maxHeadBytes, maxRequestLineBytes, value);
    }
}
