package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ServerMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameTraceTest {
    private HubServer server;

    private HubServer start(boolean frameTrace) {
        server = HubServer.builder().config(HubConfig.builder().frameTrace(frameTrace).build())
                .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static ServerMessage.Connected connect(TestHubClient c) throws InterruptedException {
        c.send(new Command.Connect(c.nextId(), null, null, null, null));
        return c.expect(ServerMessage.Connected.class);
    }

    @Test
    void anotherConnectionSeesTheRealFramesOfTheTracedOne() throws Exception {
        start(true);
        try (TestHubClient page = new TestHubClient(server.port(), HubCodec.JSON);
             TestHubClient inspector = new TestHubClient(server.port(), HubCodec.JSON)) {
            ServerMessage.Connected traced = connect(page);
            connect(inspector);
            assertThat(traced.traceKey()).isNotBlank();

            inspector.send(new Command.Trace(1L, traced.client(), traced.traceKey(), true));
            assertThat(inspector.expect(ServerMessage.Tracing.class).enabled()).isTrue();

            page.send(new Command.Publish(2L, "lobby", TextNode.valueOf("hello"), null, null));
            page.expect(ServerMessage.Ack.class);

            ServerMessage.Frame in = inspector.expect(ServerMessage.Frame.class, f -> f.dir().equals("in"));
            assertThat(in.client()).isEqualTo(traced.client());
            assertThat(in.opcode()).isEqualTo("text");
            assertThat(in.masked()).isTrue(); // client frames are masked
            assertThat(in.fin()).isTrue();
            assertThat(in.length()).isGreaterThan("hello".length());
            ServerMessage.Frame out = inspector.expect(ServerMessage.Frame.class, f -> f.dir().equals("out"));
            assertThat(out.masked()).isFalse();
            assertThat(out.opcode()).isEqualTo("text");

            page.ws.close(1000, "bye");
            ServerMessage.Frame close = inspector.expect(ServerMessage.Frame.class, f -> f.opcode().equals("close"));
            assertThat(close.code()).isEqualTo(1000);
            assertThat(close.reason()).isEqualTo("bye");
            ServerMessage.Tracing ended = inspector.expect(ServerMessage.Tracing.class);
            assertThat(ended.enabled()).isFalse();
            assertThat(ended.client()).isEqualTo(traced.client());
        }
    }

    @Test
    void aWrongKeyOrSelfTraceIsRefused() throws Exception {
        start(true);
        try (TestHubClient page = new TestHubClient(server.port(), HubCodec.JSON);
             TestHubClient snoop = new TestHubClient(server.port(), HubCodec.JSON)) {
            ServerMessage.Connected traced = connect(page);
            ServerMessage.Connected self = connect(snoop);
            snoop.send(new Command.Trace(1L, traced.client(), "guess", true));
            assertThat(snoop.expect(ServerMessage.Error.class).code()).isEqualTo(103);
            snoop.send(new Command.Trace(2L, self.client(), self.traceKey(), true));
            assertThat(snoop.expect(ServerMessage.Error.class).message()).contains("cannot trace itself");
        }
    }

    @Test
    void offWhenConfiguredOff() throws Exception {
        start(false);
        try (TestHubClient page = new TestHubClient(server.port(), HubCodec.JSON);
             TestHubClient other = new TestHubClient(server.port(), HubCodec.JSON)) {
            ServerMessage.Connected traced = connect(page);
            connect(other);
            assertThat(traced.traceKey()).isNull();
            other.send(new Command.Trace(1L, traced.client(), "x", true));
            assertThat(other.expect(ServerMessage.Error.class).code()).isEqualTo(108);
        }
    }
}
