package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StateEventTest {

    @Test
    void eventsAreBuiltWithNamedFields() {
        ConnectException refused = new ConnectException("refused");
        StateEvent closed = StateEvent.of(ConnectionState.CLOSED, 3).withCode(1006).withReason("connection failed")
                .withRetryIn(Duration.ofMillis(250)).withError(refused);
        assertThat(closed).isEqualTo(new StateEvent(ConnectionState.CLOSED, 1006, "connection failed", true,
                Duration.ofMillis(250), 3, refused));
        assertThat(closed.toString()).isEqualTo("CLOSED 1006 (connection failed) attempt 3, retry in 250 ms");

        StateEvent connecting = StateEvent.of(ConnectionState.CONNECTING, 1);
        assertThat(connecting).isEqualTo(new StateEvent(ConnectionState.CONNECTING, null, null, false, null, 1, null));
        assertThat(connecting.toString()).isEqualTo("CONNECTING attempt 1");
    }

    @Test
    void aFinalCloseSaysItDoesNotReconnect() {
        StateEvent stopped = StateEvent.of(ConnectionState.CLOSED, 0).withCode(3500).withReason("unauthorized");
        assertThat(stopped.willReconnect()).isFalse();
        assertThat(stopped.nextRetryDelay()).isNull();
        assertThat(stopped.toString()).isEqualTo("CLOSED 3500 (unauthorized) attempt 0");
    }
}
