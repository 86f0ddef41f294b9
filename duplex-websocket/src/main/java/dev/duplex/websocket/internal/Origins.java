package dev.duplex.websocket.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which browser pages may open a WebSocket (Cross-Site WebSocket Hijacking, RFC 6455 §10.2), as
 * {@link dev.duplex.websocket.WebSocketOptions#allowedOrigins()} says. By default only pages served
 * by this server: the {@code Origin}'s host and port must be the request's {@code Host}. Allowed
 * origins are compared exactly by scheme, host and port (never by substring or regular expression;
 * {@code https://*.example.com} matches the subdomains of example.com, not example.com itself).
 *
 * <p>Requests without an {@code Origin} come from non-browser clients and are allowed: they cannot
 * carry a victim's cookies. The literal {@code null} origin (sandboxed frames, file://) is refused
 * unless listed. On a server bound to a loopback address, a same-origin page must also be on a
 * loopback name ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}): a page whose name was made
 * to resolve to 127.0.0.1 (DNS rebinding) is its own origin, but not a loopback name.
 *
 * <p>Immutable and thread-safe.
 */
public final class Origins {
    private final List<Origin> allowed;
    private final boolean any;

    private Origins(List<Origin> allowed, boolean any) {
        this.allowed = allowed;
        this.any = any;
    }

    /** @throws IllegalArgumentException for a pattern that is not scheme://host[:port] (or scheme://*.domain[:port]) or null */
    public static void check(List<String> patterns) {
        parse(patterns);
    }

    static Origins of(List<String> patterns, boolean any) {
        return new Origins(parse(patterns), any);
    }

    private static List<Origin> parse(List<String> patterns) {
        List<Origin> origins = new ArrayList<>();
        for (String pattern : patterns) {
            Origin origin = Origin.parse(pattern);
            if (origin == null) {
                throw new IllegalArgumentException("An allowed origin is scheme://host[:port] or scheme://*.domain[:port], not: "
                        + pattern);
            }
            origins.add(origin);
        }
        return List.copyOf(origins);
    }

    /**
     * Whether a handshake may proceed.
     *
     * @param origin the {@code Origin} header, or null when the client sent none
     * @param host the {@code Host} header, or null
     * @param loopbackServer whether the server listens on a loopback address only
     */
    boolean allows(String origin, String host, boolean loopbackServer) {
        if (origin == null || any) {
            return true;
        }
        Origin actual = Origin.parse(origin);
        if (actual == null || actual.host.startsWith("*.")) {
            return false;
        }
        for (Origin pattern : allowed) {
            if (pattern.matches(actual)) {
                return true;
            }
        }
        return isSameOrigin(actual, host) && (!loopbackServer || isLoopbackName(actual.host));
    }

    private static boolean isSameOrigin(Origin origin, String host) {
        if (host == null || host.isEmpty() || origin.port < 0) {
            return false;
        }
        URI uri;
        try {
            uri = new URI(origin.scheme + "://" + host);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())) {
            return false;
        }
        int port = uri.getPort() != -1 ? uri.getPort() : Origin.defaultPort(origin.scheme);
        return uri.getHost().toLowerCase(Locale.ROOT).equals(origin.host) && port == origin.port;
    }

    private static boolean isLoopbackName(String host) {
        return host.equals("localhost") || host.endsWith(".localhost") || host.equals("[::1]")
                || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    @Override
    public String toString() {
        return any ? "Origins[any]" : "Origins[same origin" + (allowed.isEmpty() ? "" : ", " + allowed) + "]";
    }

    private record Origin(String scheme, String host, int port) {
        static Origin parse(String s) {
            if (s.equals("null")) {
                return new Origin("null", "", -1);
            }
            int sep = s.indexOf("://");
            if (sep <= 0) {
                return null;
            }
            String scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
            String rest = s.substring(sep + 3);
            boolean wildcard = rest.startsWith("*.");
            URI uri;
            try {
                uri = new URI(scheme + "://" + (wildcard ? "wildcard." + rest.substring(2) : rest));
            } catch (java.net.URISyntaxException e) {
                return null;
            }
            if (uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())
                    || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
                return null;
            }
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            if (wildcard) {
                host = "*." + host.substring("wildcard.".length());
            }
            int port = uri.getPort() != -1 ? uri.getPort() : defaultPort(scheme);
            return new Origin(scheme, host, port);
        }

        static int defaultPort(String scheme) {
            return switch (scheme) {
                case "http", "ws" -> 80;
                case "https", "wss" -> 443;
                default -> -1;
            };
        }

        boolean matches(Origin actual) {
            if (!scheme.equals(actual.scheme) || port != actual.port) {
                return false;
            }
            if (host.startsWith("*.")) {
                String suffix = host.substring(1); // ".example.com"
                return actual.host.endsWith(suffix) && actual.host.length() > suffix.length();
            }
            return host.equals(actual.host);
        }

        @Override
        public String toString() {
            return scheme.equals("null") ? "null" : scheme + "://" + host + ":" + port;
        }
    }
}
