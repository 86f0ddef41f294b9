package dev.duplex.client;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.HubServer;
import dev.duplex.testkit.FaultProxy;
import java.time.Duration;

/** Hub configurations and helpers for the client's tests against a real hub on loopback. */
final class Hubs {
    static final Duration WAIT = Duration.ofSeconds(20);

    private Hubs() {
    }

    /** Defaults, with rate limits out of the way of tests that publish thousands of messages quickly. */
    static HubConfig.Builder fast() {
        return HubConfig.builder()
                .commandRate(1_000_000, 1_000_000)
                .connectionRate(10_000, 10_000)
                .defaultNamespace(NamespaceConfig.builder().historySize(10_000).build());
    }

    static String uri(HubServer server) {
        return "ws://127.0.0.1:" + server.port() + "/connect";
    }

    /** The hub's address through a fault proxy in front of it. */
    static String uri(FaultProxy proxy) {
        return "ws://127.0.0.1:" + proxy.port() + "/connect";
    }

    /** A client that reconnects quickly, for tests that drop connections on purpose. */
    static DuplexClient.Builder client(String uri, Recorder recorder) {
        // No circuit breaker: tests keep a client offline for as long as their publishing takes, which on a
        // busy machine is more than ten quick attempts, and an open breaker then waits 60 s (PagingTest
        // timed out that way). ReconnectPolicyTest sets one to test it.
        DuplexClient.Builder b = DuplexClient.builder(uri)
                .reconnectDelay(Duration.ofMillis(10), Duration.ofMillis(200))
                .circuitBreaker(0, Duration.ofSeconds(60))
                .commandTimeout(Duration.ofSeconds(5));
        if (recorder != null) {
            b.stateListener(recorder);
        }
        return b;
    }
}
