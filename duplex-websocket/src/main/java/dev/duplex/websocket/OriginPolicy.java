package dev.duplex.websocket;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Which {@code Origin} values may open a WebSocket (Cross-Site WebSocket Hijacking, RFC 6455
 * §10.2). Origins are compared exactly by scheme, host and port, never by substring or regular
 * expression; a pattern {@code https://*.example.com} matches subdomains of example.com (not
 * example.com itself). Requests without an Origin come from non-browser clients and are allowed:
 * they cannot carry a victim's cookies. The literal {@code null} origin (sandboxed frames, file://)
 * is refused unless listed.
 */
public final class OriginPolicy implements Predicate<String> {
    private final List<Origin> allowed;

    private OriginPolicy(List<Origin> allowed) {
        this.allowed = allowed;
    }

    /**
     * @param patterns origins like {@code https://app.example.com}, {@code http://localhost:8080},
     *     {@code https://*.example.com}, or {@code null}
     * @throws IllegalArgumentException for a pattern that is not scheme://host[:port]
     */
    public static OriginPolicy allow(String... patterns) {
        return allow(List.of(patterns));
    }

    public static OriginPolicy allow(List<String> patterns) {
        List<Origin> origins = new ArrayList<>();
        for (String pattern : patterns) {
            Origin origin = Origin.parse(pattern);
            if (origin == null) {
                throw new IllegalArgumentException("An allowed origin is scheme://host[:port] or scheme://*.domain[:port], not: "
                        + pattern);
            }
            origins.add(origin);
        }
        return new OriginPolicy(List.copyOf(origins));
    }

    @Override
    public boolean test(String origin) {
        if (origin == null) {
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
        return false;
    }

    @Override
    public String toString() {
        return "OriginPolicy" + allowed;
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

        private static int defaultPort(String scheme) {
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
