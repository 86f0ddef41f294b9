package dev.duplex.web;

import dev.duplex.gateway.simulator.DeviceFleet;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.HubStatsPublisher;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * What {@code ./duplex serve} runs for the dashboard, on loopback and a free port: the hub with
 * frame traces, the simulated devices' namespaces and the {@code hub} namespace for
 * {@link HubStatsPublisher}; the dashboard's static files as the HTTP fallback; the device fleet and
 * the stats publisher. {@link #close()} stops them all (the fleet and the publisher first).
 *
 * <p>{@code main} serves it on a port for a look in a browser:
 * {@code java -cp … dev.duplex.web.DashboardNode 8080}.
 */
final class DashboardNode implements AutoCloseable {
    private final HubServer server;
    private final DeviceFleet fleet;

    private DashboardNode(HubServer server, DeviceFleet fleet) {
        this.server = server;
        this.fleet = fleet;
    }

    /** The hub configuration {@code ./duplex serve} uses for the dashboard and the demo devices. */
    static HubConfig config() {
        HubConfig.Builder b = HubConfig.builder().frameTrace(true);
        DeviceFleet.namespaces().forEach(b::namespace);
        b.namespace("hub", HubStatsPublisher.namespace());
        return b.build();
    }

    /** Starts on loopback, port 0 (any free port), sensors publishing every {@code deviceInterval}. */
    static DashboardNode start(Duration deviceInterval) {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), deviceInterval);
    }

    static DashboardNode start(InetSocketAddress address, Duration deviceInterval) {
        HubServer server = HubServer.builder()
                .address(address)
                .config(config())
                .httpFallback(new StaticFiles(null))
                .start();
        try {
            DeviceFleet fleet = DeviceFleet.start(server.hub(), deviceInterval);
            server.closeWith(fleet);
            server.closeWith(HubStatsPublisher.start(server.hub(), HubStatsPublisher.CHANNEL, Duration.ofSeconds(1)));
            return new DashboardNode(server, fleet);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    HubServer server() {
        return server;
    }

    DeviceFleet fleet() {
        return fleet;
    }

    /** The dashboard's address, e.g. {@code http://127.0.0.1:41234/}. */
    String url() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        String host = loopback instanceof Inet6Address ? "[" + loopback.getHostAddress() + "]" : loopback.getHostAddress();
        return "http://" + host + ":" + server.port() + "/";
    }

    /** Stops the devices, the stats publisher, the server and the hub. */
    @Override
    public void close() {
        server.close();
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        try (DashboardNode node = start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Duration.ofSeconds(1))) {
            System.out.println("Dashboard: " + node.url() + " (Ctrl+C to stop)");
            Thread.currentThread().join();
        }
    }
}
