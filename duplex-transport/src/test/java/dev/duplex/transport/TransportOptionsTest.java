package dev.duplex.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransportOptionsTest {
    @Test
    void defaultsAreTheDocumentedValues() {
        TransportOptions d = TransportOptions.defaults();
        assertThat(d.backlog()).isEqualTo(4096);
        assertThat(d.maxConnections()).isEqualTo(19_000);
        assertThat(d.readBufferBytes()).isEqualTo(64 * 1024);
        assertThat(d.writeHighWatermarkBytes()).isEqualTo(1024 * 1024);
        assertThat(d.tcpNoDelay()).isTrue();
        assertThat(d.socketSendBufferBytes()).isZero();
        assertThat(d.socketReceiveBufferBytes()).isZero();
        assertThat(d.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void withMethodsReplaceOneComponent() {
        TransportOptions d = TransportOptions.defaults();
        TransportOptions changed = d.withBacklog(10)
                .withMaxConnections(20)
                .withReadBufferBytes(4096)
                .withWriteHighWatermarkBytes(5)
                .withTcpNoDelay(false)
                .withSocketSendBufferBytes(8192)
                .withSocketReceiveBufferBytes(16384)
                .withConnectTimeout(Duration.ofMillis(250));
        assertThat(changed).isEqualTo(new TransportOptions(10, 20, 4096, 5, false, 8192, 16384, Duration.ofMillis(250)));
        assertThat(d).isEqualTo(TransportOptions.defaults());
    }

    @Test
    void invalidValuesAreRejectedWithTheComponentName() {
        TransportOptions d = TransportOptions.defaults();
        assertThatThrownBy(() -> d.withBacklog(0)).hasMessageContaining("backlog");
        assertThatThrownBy(() -> d.withMaxConnections(0)).hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> d.withReadBufferBytes(16)).hasMessageContaining("readBufferBytes");
        assertThatThrownBy(() -> d.withWriteHighWatermarkBytes(-1)).hasMessageContaining("writeHighWatermarkBytes");
        assertThatThrownBy(() -> d.withSocketSendBufferBytes(-1)).hasMessageContaining("socket buffer");
        assertThatThrownBy(() -> d.withConnectTimeout(Duration.ZERO)).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> d.withConnectTimeout(null)).hasMessageContaining("connectTimeout");
    }
}
