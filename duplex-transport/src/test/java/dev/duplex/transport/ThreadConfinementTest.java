package dev.duplex.transport;

import static dev.duplex.transport.TestSupport.ANY_LOCAL_PORT;
import static dev.duplex.transport.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ThreadConfinementTest {
    private EventLoopGroup group;
    private TcpServer server;

    @BeforeEach
    void start() throws Exception {
        group = new EventLoopGroup(1);
        server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(), RecordingHandler::new);
    }

    @AfterEach
    void stop() {
        server.close();
        group.close();
    }

    @Test
    void loopOnlyMethodsNameThemselvesAndTheFixWhenCalledFromAnotherThread() throws Exception {
        TcpConnection c = await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(),
                new RecordingHandler()));
        Map<String, ThrowingCallable> calls = Map.of(
                "TcpConnection.write", () -> c.write(ByteBuffer.allocate(1)),
                "TcpConnection.write ", () -> c.write(new ByteBuffer[] {ByteBuffer.allocate(1)}),
                "TcpConnection.isWritable", c::isWritable,
                "TcpConnection.setReadInterest", () -> c.setReadInterest(false),
                "TcpConnection.setDeadline", () -> c.setDeadline(1, TimeUnit.SECONDS),
                "TcpConnection.shutdownOutput", c::shutdownOutput,
                "TcpConnection.closeAfterFlush", c::closeAfterFlush,
                "TcpConnection.close", c::close,
                "TcpConnection.attachment", c::attachment,
                "TcpConnection.attach", () -> c.attach("x"));
        calls.forEach((method, call) -> assertThatThrownBy(call)
                .as(method)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(method.trim() + " must be called on event loop thread " + c.loop())
                .hasMessageContaining(Thread.currentThread().getName())
                .hasMessageContaining("loop().execute"));
        assertThatThrownBy(() -> c.loop().scratch(16))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("EventLoop.scratch");

        // The thread-safe accessors work from anywhere, and nothing above changed the connection.
        assertThat(c.isOpen()).isTrue();
        assertThat(c.bufferedBytes()).isZero();
        assertThat(c.remoteAddress()).isEqualTo(server.localAddress());
        assertThat(c.localAddress()).isNotNull();
        assertThat(c.loop()).isSameAs(group.loops().get(0));
        assertThat(TestSupport.onLoop(c.loop(), () -> {
            c.attach("session");
            return c.attachment();
        })).isEqualTo("session");
    }
}
