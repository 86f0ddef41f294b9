package dev.duplex.protocol.extension.deflate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.Compression;
import dev.duplex.protocol.EventRecorder;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Peers;
import dev.duplex.protocol.RawFrames;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY D2: zlib state is native memory. Without context takeover it is borrowed per
 * message from a per-loop pool that keeps at most 4 idle instances per kind; with context takeover
 * each connection owns its own, ended deterministically by {@code release()}; a message that fails
 * mid-inflate does not leak the borrowed inflater.
 */
class CompressionPoolTest {
    private static final int IDLE_CAP_PER_KIND = 4;
    /** One compressor kind (15 bits, level 6) and the inflaters. */
    private static final int IDLE_CAP = 2 * IDLE_CAP_PER_KIND;
    private static final String TEXT = "{\"event\":\"tick\",\"symbol\":\"DPLX\",\"price\":123.45} ".repeat(20);

    private static final DeflateOptions NO_TAKEOVER = DeflateOptions.defaults();
    private static final DeflateOptions TAKEOVER = DeflateOptions.defaults().withLocalContextTakeover(true).withPeerContextTakeover(true);

    private static void exchangeOneMessageEachWay(Peers peers) {
        peers.client.connection.sendText(TEXT, peers.client.out);
        assertThat(RawFrames.decode(peers.clientToServer()).get(0).rsv()).isEqualTo(0x40);
        assertThat(peers.server.events.takeAll()).containsExactly(EventRecorder.text(TEXT));
        byte[] data = TEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        peers.server.connection.sendBinary(ByteBuffer.wrap(data), peers.server.out);
        assertThat(RawFrames.decode(peers.serverToClient()).get(0).rsv()).isEqualTo(0x40);
        assertThat(peers.client.events.takeAll()).containsExactly(EventRecorder.binary(data));
    }

    @Test
    @DisplayName("No context takeover: 1,000 open connections each compress and inflate; live zlib objects stay ≤ the idle cap")
    void thousandConnectionsWithoutTakeover() {
        CompressionPool clientPool = new CompressionPool();
        CompressionPool serverPool = new CompressionPool();
        List<Peers> open = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Peers peers = Compression.peers(Limits.defaults(), NO_TAKEOVER, NO_TAKEOVER, clientPool, serverPool);
            open.add(peers);
            exchangeOneMessageEachWay(peers);
            assertThat(clientPool.liveNativeObjects()).as("client pool after %d connections", i + 1).isLessThanOrEqualTo(IDLE_CAP);
            assertThat(serverPool.liveNativeObjects()).as("server pool after %d connections", i + 1).isLessThanOrEqualTo(IDLE_CAP);
        }
        for (Peers peers : open) {
            peers.client.connection.release();
            peers.server.connection.release();
        }
        assertThat(clientPool.liveNativeObjects()).isLessThanOrEqualTo(IDLE_CAP);
        assertThat(serverPool.liveNativeObjects()).isLessThanOrEqualTo(IDLE_CAP);
        clientPool.endIdle();
        serverPool.endIdle();
        assertThat(clientPool.liveNativeObjects()).isZero();
        assertThat(serverPool.liveNativeObjects()).isZero();
    }

    @Test
    @DisplayName("No context takeover, one connection at a time: 1,000 connect → message → release cycles leave ≤ the idle cap")
    void thousandCyclesWithoutTakeover() {
        CompressionPool clientPool = new CompressionPool();
        CompressionPool serverPool = new CompressionPool();
        for (int i = 0; i < 1000; i++) {
            Peers peers = Compression.peers(Limits.defaults(), NO_TAKEOVER, NO_TAKEOVER, clientPool, serverPool);
            exchangeOneMessageEachWay(peers);
            peers.client.connection.release();
            peers.server.connection.release();
            peers.client.connection.release(); // twice is harmless
            assertThat(clientPool.liveNativeObjects()).isBetween(0, IDLE_CAP);
            assertThat(serverPool.liveNativeObjects()).isBetween(0, IDLE_CAP);
        }
    }

    @Test
    @DisplayName("Context takeover: each connection owns its zlib objects while open; release() ends them all")
    void takeoverConnectionsReleaseTheirState() {
        CompressionPool clientPool = new CompressionPool();
        CompressionPool serverPool = new CompressionPool();
        List<Peers> open = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Peers peers = Compression.peers(Limits.defaults(), TAKEOVER, TAKEOVER, clientPool, serverPool);
            open.add(peers);
            exchangeOneMessageEachWay(peers);
            exchangeOneMessageEachWay(peers); // the second message uses the kept window
        }
        assertThat(clientPool.liveNativeObjects()).as("a compressor and an inflater per open connection").isEqualTo(400);
        assertThat(serverPool.liveNativeObjects()).isEqualTo(400);
        for (Peers peers : open) {
            peers.client.connection.release();
            peers.server.connection.release();
        }
        assertThat(clientPool.liveNativeObjects()).isLessThanOrEqualTo(IDLE_CAP).isZero();
        assertThat(serverPool.liveNativeObjects()).isLessThanOrEqualTo(IDLE_CAP).isZero();

        // Mixed: only the client keeps its window.
        DeflateOptions clientKeeps = NO_TAKEOVER.withLocalContextTakeover(true);
        DeflateOptions serverLetsIt = NO_TAKEOVER.withPeerContextTakeover(true);
        List<Peers> mixed = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Peers peers = Compression.peers(Limits.defaults(), clientKeeps, serverLetsIt, clientPool, serverPool);
            mixed.add(peers);
            exchangeOneMessageEachWay(peers);
        }
        assertThat(clientPool.liveNativeObjects()).as("client compressors kept, inflaters pooled").isBetween(100, 100 + IDLE_CAP_PER_KIND);
        assertThat(serverPool.liveNativeObjects()).as("server inflaters kept, compressors pooled").isBetween(100, 100 + IDLE_CAP_PER_KIND);
        for (Peers peers : mixed) {
            peers.client.connection.release();
            peers.server.connection.release();
        }
        assertThat(clientPool.liveNativeObjects()).isLessThanOrEqualTo(IDLE_CAP);
        assertThat(serverPool.liveNativeObjects()).isLessThanOrEqualTo(IDLE_CAP);
    }

    @Test
    @DisplayName("A message failing mid-inflate (1009, 1007) ends the borrowed inflater; release() afterwards ends nothing twice")
    void failingMessageDoesNotLeak() {
        CompressionPool serverPool = new CompressionPool();
        Limits limits = Limits.defaults().withMaxMessageBytes(64 * 1024);
        Peers warm = Compression.peers(limits, NO_TAKEOVER, NO_TAKEOVER, new CompressionPool(), serverPool);
        exchangeOneMessageEachWay(warm);
        warm.server.connection.release();
        int baseline = serverPool.liveNativeObjects();
        assertThat(baseline).isBetween(1, IDLE_CAP);

        byte[] bomb = RawFrames.binary(Compression.deflate(new byte[1 << 20], 9)).rsv(0x40).masked().bytes();
        byte[] corrupt = RawFrames.binary(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}).rsv(0x40).masked().bytes();
        for (int i = 0; i < 100; i++) {
            for (byte[] bad : List.of(bomb, corrupt)) {
                Peers peers = Compression.peers(limits, NO_TAKEOVER, NO_TAKEOVER, new CompressionPool(), serverPool);
                peers.server.receive(Arrays.copyOf(bad, bad.length / 2), Arrays.copyOfRange(bad, bad.length / 2, bad.length));
                assertThat(peers.server.events.takeErrorCode()).isIn(1009, 1007);
                assertThat(serverPool.liveNativeObjects()).as("after a failed message").isLessThanOrEqualTo(baseline);
                peers.server.connection.release();
                assertThat(serverPool.liveNativeObjects()).as("after release").isBetween(0, baseline);
            }
        }
        // The pool still serves healthy connections.
        Peers healthy = Compression.peers(limits, NO_TAKEOVER, NO_TAKEOVER, new CompressionPool(), serverPool);
        exchangeOneMessageEachWay(healthy);
        healthy.server.connection.release();
        assertThat(serverPool.liveNativeObjects()).isBetween(1, IDLE_CAP);
    }

    @Test
    @DisplayName("A compressed message cut off by the peer's Close or by EOF: release() returns the count to the idle cap")
    void interruptedMessageIsReleased() {
        CompressionPool serverPool = new CompressionPool();
        byte[] first = RawFrames.text("").payload(new byte[] {(byte) 0xf2, 0x48, (byte) 0xcd}).rsv(0x40).fin(false).masked().bytes();
        for (int i = 0; i < 100; i++) {
            Peers closed = Compression.peers(Limits.defaults(), NO_TAKEOVER, NO_TAKEOVER, new CompressionPool(), serverPool);
            closed.server.receive(first, RawFrames.close(1000, "").masked().bytes());
            closed.server.connection.release();

            Peers eof = Compression.peers(Limits.defaults(), TAKEOVER, TAKEOVER, new CompressionPool(), serverPool);
            eof.server.receive(first);
            assertThat(eof.server.connection.receiveEof()).isFalse();
            eof.server.connection.release();
            assertThat(serverPool.liveNativeObjects()).isBetween(0, IDLE_CAP);
        }
    }
}
