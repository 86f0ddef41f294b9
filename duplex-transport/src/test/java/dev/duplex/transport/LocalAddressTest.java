package dev.duplex.transport;

import static dev.duplex.transport.TestSupport.ANY_LOCAL_PORT;
import static dev.duplex.transport.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TcpClient#connect(EventLoop, InetSocketAddress, InetSocketAddress, TransportOptions, TlsConfig, ConnectionHandler)}: choosing the source address. */
class LocalAddressTest {
    private EventLoopGroup group;
    private TcpServer server;
    private final LinkedBlockingQueue<InetSocketAddress> acceptedFrom = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        group = new EventLoopGroup(1);
        server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(), () -> new RecordingHandler() {
            @Override
            public void onOpen(TcpConnection connection) {
                acceptedFrom.add((InetSocketAddress) connection.remoteAddress());
                super.onOpen(connection);
            }
        });
    }

    @AfterEach
    void stop() {
        server.close();
        group.close();
    }

    @Test
    void connectsFromTheGivenLoopbackAddresses() throws Exception {
        // Linux routes all of 127.0.0.0/8 to the loopback interface, so each is a usable source.
        for (String source : new String[] {"127.0.0.2", "127.0.0.3"}) {
            RecordingHandler client = new RecordingHandler();
            TcpConnection connection = await(TcpClient.connect(group.next(), server.localAddress(),
                    new InetSocketAddress(source, 0), TransportOptions.defaults(), null, client));
            InetSocketAddress local = (InetSocketAddress) connection.localAddress();
            assertThat(local.getAddress().getHostAddress()).isEqualTo(source);
            assertThat(local.getPort()).isPositive();
            InetSocketAddress seen = acceptedFrom.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(seen).isNotNull();
            assertThat(seen.getAddress().getHostAddress()).isEqualTo(source);
            assertThat(seen.getPort()).isEqualTo(local.getPort());
            TestSupport.onLoop(connection.loop(), () -> { connection.close(); });
        }
    }

    @Test
    void nullLocalAddressLetsTheSystemChoose() throws Exception {
        TcpConnection connection = await(TcpClient.connect(group.next(), server.localAddress(), null,
                TransportOptions.defaults(), null, new RecordingHandler()));
        assertThat(((InetSocketAddress) connection.localAddress()).getAddress().isLoopbackAddress()).isTrue();
        TestSupport.onLoop(connection.loop(), () -> { connection.close(); });
    }

    @Test
    void anAddressNotOnThisHostFailsWithABindExceptionNamingIt() {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a local interface.
        InetSocketAddress foreign = new InetSocketAddress("192.0.2.1", 0);
        RecordingHandler client = new RecordingHandler();
        assertThatThrownBy(() -> await(TcpClient.connect(group.next(), server.localAddress(), foreign,
                TransportOptions.defaults(), null, client)))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BindException.class)
                .hasMessageContaining("192.0.2.1");
        assertThat(client.opened).isNotDone();
    }
}
