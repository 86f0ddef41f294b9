package dev.duplex.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Regression (security review 2026-12, finding 5): {@code serve} listened on every interface while its
 * banner said localhost, any web page could command the thermostat (no Origin check), and
 * {@code /broadcast} relayed any client's messages to every other.
 */
class SafeDefaultsTest {
    private static ServeCommand parse(ByteArrayOutputStream log, String... args) {
        ServeCommand serve = new ServeCommand();
        serve.environment = Map.of();
        serve.err = new PrintStream(log, true, StandardCharsets.UTF_8);
        new CommandLine(serve).parseArgs(args);
        return serve;
    }

    /** The status line of a WebSocket upgrade to {@code path} with these Host and Origin headers. */
    private static String upgrade(int port, String path, String host, String origin) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Protocol: duplex.v1.json\r\n" + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\r'; b = in.read()) {
                line.append((char) b);
            }
            return line.toString();
        }
    }

    @Test
    void byDefaultOnlyThisMachineAndPagesServedHereReachTheHub() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (HubServer server = parse(log, "--port", "0").start()) {
            assertThat(server.webSocketServer().address().getAddress().isLoopbackAddress()).as("listens on loopback").isTrue();
            int port = server.port();
            assertThat(upgrade(port, "/connect", "localhost:" + port, "http://localhost:" + port))
                    .as("the dashboard's own page").startsWith("HTTP/1.1 101");
            assertThat(upgrade(port, "/connect", "localhost:" + port, "https://evil.example"))
                    .as("another site's page").startsWith("HTTP/1.1 403");
            assertThat(upgrade(port, "/connect", "evil.example:" + port, "http://evil.example:" + port))
                    .as("a rebound DNS name").startsWith("HTTP/1.1 403");
            assertThat(upgrade(port, "/connect", "localhost:" + port, null)).as("not a browser").startsWith("HTTP/1.1 101");
            assertThat(upgrade(port, "/broadcast", "localhost:" + port, null)).as("/broadcast is off unless asked for")
                    .startsWith("HTTP/1.1 404");
        }
        assertThat(log.toString(StandardCharsets.UTF_8))
                .containsPattern("Listening on 127\\.0\\.0\\.1:\\d+ \\(this machine only")
                .doesNotContain("WARNING");
    }

    @Test
    void beyondLoopbackDevicesNeedAUserAndTheBannerWarnsAboutAnonymousPublishing() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (HubServer server = parse(log, "--port", "0", "--host", "0.0.0.0").start()) {
            assertThat(server.webSocketServer().address().getAddress().isAnyLocalAddress()).isTrue();
            try (HubProbe anonymous = HubProbe.connected("ws://127.0.0.1:" + server.port() + "/connect", null)) {
                long id = anonymous.nextId();
                anonymous.send(new Command.Publish(id, "commands:thermostat-1",
                        JsonNodeFactory.instance.objectNode().put("id", "x").put("setpoint", 30), null, null));
                ServerMessage.Error refused = anonymous.expect(ServerMessage.Error.class);
                assertThat(refused.code()).isEqualTo(103);
            }
        }
        assertThat(log.toString(StandardCharsets.UTF_8))
                .containsPattern("Listening on 0\\.0\\.0\\.0:\\d+ \\(every interface: other machines can connect\\)")
                .contains("WARNING duplex: Other machines can reach this hub, and anonymous connections may publish to the default namespace");
    }

    @Test
    void onLoopbackTheDashboardStillCommandsTheThermostat() throws Exception {
        try (HubServer server = parse(new ByteArrayOutputStream(), "--port", "0").start();
             HubProbe page = HubProbe.connected("ws://127.0.0.1:" + server.port() + "/connect", null)) {
            long id = page.nextId();
            page.send(new Command.Publish(id, "commands:thermostat-1",
                    JsonNodeFactory.instance.objectNode().put("id", "x").put("setpoint", 22), null, null));
            assertThat(page.expect(ServerMessage.Ack.class).channel()).isEqualTo("commands:thermostat-1");
        }
    }
}
