package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameTraceTest {
    private HubServer server;

    private HubServer start(boolean frameTrace) {
        return start(HubConfig.builder().frameTrace(frameTrace).build());
    }

    private HubServer start(HubConfig config) {
        server = HubServer.builder().config(config)
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

    /**
     * Returns once {@code target}'s frames are observed for the trace {@code watcher} was just
     * granted. The {@code tracing} reply leaves the watcher's event loop before that loop hands
     * the start of observing to the target's loop, so the target's next frames may come too early
     * to be traced. A publication of the watcher's to a channel of the target's is handed to the
     * target's loop after that, in the same queue, so once the target has it, its frames are
     * observed. The target must be subscribed to {@code channel}.
     */
    private static void awaitTraceStarted(TestHubClient watcher, TestHubClient target, String channel)
            throws InterruptedException {
        long id = watcher.nextId();
        watcher.send(new Command.Publish(id, channel, TextNode.valueOf("sync"), null, null));
        assertThat(watcher.reply(id)).isInstanceOf(ServerMessage.Ack.class);
        target.expect(Publication.class, p -> p.channel().equals(channel));
    }

    @Test
    void anotherConnectionSeesTheRealFramesOfTheTracedOne() throws Exception {
        start(true);
        try (TestHubClient page = new TestHubClient(server.port(), HubCodec.JSON);
             TestHubClient inspector = new TestHubClient(server.port(), HubCodec.JSON)) {
            ServerMessage.Connected traced = connect(page);
            connect(inspector);
            assertThat(traced.traceKey()).isNotBlank();
            page.subscribe("sync");

            inspector.send(new Command.Trace(1L, traced.client(), traced.traceKey(), true));
            assertThat(inspector.expect(ServerMessage.Tracing.class).enabled()).isTrue();
            awaitTraceStarted(inspector, page, "sync");

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

    /**
     * Regression (security review 2026-12, finding 1): two connections that traced each other sent
     * each other frame messages forever (about 8,000 a second after one ping). A connection
     * is now either traced or tracing, never both, so trace output is never traced.
     */
    @Test
    void tracesCannotFormACycleOfAnyLength() throws Exception {
        // No WebSocket pings from the hub while the test runs: the frames of a are exactly those
        // the test makes it exchange.
        start(HubConfig.builder().frameTrace(true).heartbeat(Duration.ofMinutes(10)).build());
        try (TestHubClient a = new TestHubClient(server.port(), HubCodec.JSON);
             TestHubClient b = new TestHubClient(server.port(), HubCodec.JSON);
             TestHubClient c = new TestHubClient(server.port(), HubCodec.JSON)) {
            ServerMessage.Connected ca = connect(a);
            ServerMessage.Connected cb = connect(b);
            ServerMessage.Connected cc = connect(c);
            a.subscribe("sync");

            b.send(new Command.Trace(1L, ca.client(), ca.traceKey(), true)); // b watches a
            assertThat(b.expect(ServerMessage.Tracing.class).enabled()).isTrue();
            awaitTraceStarted(b, a, "sync");

            a.send(new Command.Trace(2L, cb.client(), cb.traceKey(), true)); // a watching b would close the loop
            ServerMessage.Error back = a.expect(ServerMessage.Error.class);
            assertThat(back.code()).isEqualTo(107);
            assertThat(back.message()).contains("being traced");
            c.send(new Command.Trace(3L, cb.client(), cb.traceKey(), true)); // watching a watcher: a chain b <- c
            ServerMessage.Error chain = c.expect(ServerMessage.Error.class);
            assertThat(chain.code()).isEqualTo(107);
            assertThat(chain.message()).contains("traces other connections");
            a.send(new Command.Trace(4L, cc.client(), cc.traceKey(), true)); // a is traced: it may not trace c
            assertThat(a.expect(ServerMessage.Error.class).message()).contains("being traced");

            // One ping on a, whose pong is the last frame a exchanges. a's event loop hands the frame
            // message of each of a's frames to b's loop as the frame is read or written, all through
            // one queue, so they reach b in a's wire order: once b has the one of that pong, it has
            // every frame message a's frames make. (Not before b's own pong: which of a message
            // handed over from another loop and the reply to what b sends meanwhile goes first is
            // not fixed.)
            long ping = a.nextId();
            a.send(new Command.Ping(ping));
            assertThat(a.reply(ping)).isInstanceOf(ServerMessage.Pong.class);
            int pongLength = HubCodec.JSON.encode(new ServerMessage.Pong(ping)).length;
            b.expect(ServerMessage.Frame.class, f -> f.dir().equals("out") && f.length() == pongLength);
            List<ServerMessage> seen = b.drain();
            assertThat(seen).as("b watches a: frame messages before a's pong").anyMatch(m -> m instanceof ServerMessage.Frame);
            assertThat(seen).filteredOn(m -> m instanceof ServerMessage.Frame)
                    .allMatch(m -> ((ServerMessage.Frame) m).client().equals(ca.client()));

            // a is quiet now: were trace output traced in turn, frame messages would go on coming.
            b.roundTrip();
            List<ServerMessage> later = b.drain();
            assertThat(later).as("frame messages after things went quiet").filteredOn(m -> m instanceof ServerMessage.Frame)
                    .isEmpty();
            assertThat(a.drain()).noneMatch(m -> m instanceof ServerMessage.Frame);
        }
    }

    @Test
    void frameMessagesAreRateLimitedAndSaySoWhenFramesWereSkipped() throws Exception {
        start(true);
        try (TestHubClient page = new TestHubClient(server.port(), HubCodec.JSON);
             TestHubClient inspector = new TestHubClient(server.port(), HubCodec.JSON)) {
            ServerMessage.Connected traced = connect(page);
            connect(inspector);
            page.subscribe("busy");
            inspector.send(new Command.Trace(1L, traced.client(), traced.traceKey(), true));
            inspector.expect(ServerMessage.Tracing.class);
            awaitTraceStarted(inspector, page, "busy");
            // Five times the burst a tracer gets (FrameTraces: 400, then 200 a second), published without
            // waiting for each: frames are skipped unless delivering them took over 8 s.
            int publications = 2_000;
            List<CompletableFuture<?>> published = new ArrayList<>();
            for (int i = 0; i < publications; i++) {
                published.add(server.hub().publish("busy", TextNode.valueOf("p" + i), null));
            }
            CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            for (int i = 1; i <= publications; i++) {
                page.expect(Publication.class);
            }
            page.roundTrip();
            inspector.roundTrip();
            List<ServerMessage.Frame> frames = inspector.drain().stream().filter(m -> m instanceof ServerMessage.Frame)
                    .map(m -> (ServerMessage.Frame) m).toList();
            assertThat(frames.size()).as("frame messages for %d publications", publications).isLessThan(publications);
            // The next frame after a gap tells how many were skipped. The publications may have spent every
            // token, and one comes back each 1/RATE_PER_SECOND s: round trips of the page go on until one
            // of its frames is let through (bounded by count and by time).
            ServerMessage.Frame next = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int trip = 0; trip < 1_000 && next == null && System.nanoTime() < deadline; trip++) {
                page.roundTrip();
                for (ServerMessage m = inspector.poll(20); m != null && next == null; m = inspector.poll(0)) {
                    if (m instanceof ServerMessage.Frame frame) {
                        next = frame;
                    }
                }
            }
            assertThat(next).as("a frame message after the round trips of the traced connection").isNotNull();
            long reported = frames.stream().mapToLong(f -> f.skipped() == null ? 0 : f.skipped()).sum()
                    + (next.skipped() == null ? 0 : next.skipped());
            assertThat(reported).as("skipped frames reported").isPositive();
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
