package dev.duplex.hub;

import dev.duplex.hub.broker.MemoryBroker;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ServerMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/**
 * Starts real {@link HubServer}s on loopback and real clients, and stops everything a test started,
 * clients first. Waits are bounded.
 */
abstract class HubTestBase {
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    /** The server started last. */
    protected HubServer server;

    protected HubServer start(HubConfig config) {
        return start(HubServer.builder().config(config));
    }

    /**
     * A hub whose in-memory broker reads time from {@code brokerClock} (epoch milliseconds): tests of
     * history TTLs and de-duplication windows move the clock instead of sleeping through them.
     */
    protected HubServer start(HubConfig config, AtomicLong brokerClock) {
        MemoryBroker broker = new MemoryBroker(brokerClock::get);
        started.push(broker); // closed after the server, which is pushed next
        return start(HubServer.builder().config(config).broker(broker));
    }

    protected HubServer start(HubServer.Builder builder) {
        HubServer s = builder.address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
        started.push(s);
        server = s;
        return s;
    }

    protected Hub hub() {
        return server.hub();
    }

    /** Closed (aborted) with the test; safe to close earlier too. */
    protected <T extends AutoCloseable> T track(T resource) {
        started.push(resource);
        return resource;
    }

    /** A JSON client that has not sent {@code connect}. */
    protected TestHubClient open() throws Exception {
        return track(new TestHubClient(server.port(), HubCodec.JSON));
    }

    /** An anonymous connected JSON client. */
    protected TestHubClient connect() throws Exception {
        return track(TestHubClient.connected(server.port()));
    }

    protected TestHubClient connect(String token) throws Exception {
        return track(TestHubClient.connected(server.port(), token));
    }

    /** The client's close code, after it got a {@code disconnect} message with the same code. */
    protected static ServerMessage.Disconnect expectDisconnect(TestHubClient c, int code) throws Exception {
        ServerMessage.Disconnect d = c.expect(ServerMessage.Disconnect.class);
        org.assertj.core.api.Assertions.assertThat(d.code()).as("disconnect code").isEqualTo(code);
        return d;
    }

    /** Polls {@code condition} every 10 ms for up to {@code millis}; returns whether it became true. */
    protected static boolean eventually(long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
    }

    @AfterEach
    void stopEverything() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                // keep stopping the rest
            }
        }
    }
}
