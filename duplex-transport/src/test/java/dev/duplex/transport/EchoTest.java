package dev.duplex.transport;

import static dev.duplex.transport.TestSupport.ANY_LOCAL_PORT;
import static dev.duplex.transport.TestSupport.await;
import static dev.duplex.transport.TestSupport.onLoop;
import static dev.duplex.transport.TestSupport.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EchoTest {
    private EventLoopGroup group;
    private TcpServer server;

    @BeforeEach
    void start() throws Exception {
        group = new EventLoopGroup(2);
        server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(), TestSupport.EchoHandler::new);
    }

    @AfterEach
    void stop() {
        server.close();
        group.close();
    }

    private TcpConnection connect(RecordingHandler handler) throws Exception {
        return await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), handler));
    }

    @Test
    void manyMessagesRoundTripInOrder() throws Exception {
        RecordingHandler client = new RecordingHandler();
        TcpConnection connection = connect(client);
        assertThat(connection.isOpen()).isTrue();
        assertThat(connection.remoteAddress()).isEqualTo(server.localAddress());
        assertThat(connection.localAddress()).isNotNull();

        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        for (int i = 0; i < 2_000; i++) {
            byte[] message = pattern(1 + (i * 37) % 3_000, i);
            sent.write(message);
            onLoop(connection.loop(), () -> connection.write(ByteBuffer.wrap(message)));
        }
        byte[] echoed = client.awaitBytes(sent.size(), Duration.ofSeconds(20));
        assertThat(echoed).isEqualTo(sent.toByteArray());
    }

    @Test
    void eightMegabytesGoThroughTheWriteQueuesIntact() throws Exception {
        RecordingHandler client = new RecordingHandler();
        TcpConnection connection = connect(client);
        byte[] payload = pattern(8 * 1024 * 1024, 7);

        boolean accepted = onLoop(connection.loop(), () -> {
            ByteBuffer src = ByteBuffer.wrap(payload);
            boolean ok = connection.write(src);
            assertThat(src.hasRemaining()).as("write consumes its source").isFalse();
            return ok;
        });

        assertThat(accepted).isTrue();
        assertThat(client.awaitBytes(payload.length, Duration.ofSeconds(30))).isEqualTo(payload);
        assertThat(onLoop(connection.loop(), connection::bufferedBytes)).isZero();
    }

    @Test
    void gatheringWriteSendsEveryBufferInOrder() throws Exception {
        RecordingHandler client = new RecordingHandler();
        TcpConnection connection = connect(client);
        byte[] a = pattern(10, 1);
        byte[] b = pattern(100 * 1024, 2);
        byte[] c = pattern(3 * 1024 * 1024, 3);
        ByteBuffer[] buffers = {ByteBuffer.wrap(a), ByteBuffer.allocate(0), ByteBuffer.wrap(b), ByteBuffer.wrap(c)};

        assertThat(onLoop(connection.loop(), () -> connection.write(buffers))).isTrue();

        for (ByteBuffer buffer : buffers) {
            assertThat(buffer.hasRemaining()).isFalse();
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);
        expected.write(c);
        assertThat(client.awaitBytes(expected.size(), Duration.ofSeconds(30))).isEqualTo(expected.toByteArray());
    }

    @Test
    void scratchBufferIsReusedOnTheLoop() throws Exception {
        EventLoop loop = group.next();
        ByteBuffer first = onLoop(loop, () -> loop.scratch(1000));
        ByteBuffer again = onLoop(loop, () -> loop.scratch(500));
        ByteBuffer bigger = onLoop(loop, () -> loop.scratch(100_000));
        assertThat(first.isDirect()).isTrue();
        assertThat(first.capacity()).isGreaterThanOrEqualTo(1000);
        assertThat(again).isSameAs(first);
        assertThat(bigger.capacity()).isGreaterThanOrEqualTo(100_000);
    }
}
