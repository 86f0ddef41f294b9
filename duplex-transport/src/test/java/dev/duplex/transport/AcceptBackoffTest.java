package dev.duplex.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

class AcceptBackoffTest {
    private final AcceptBackoff backoff = new AcceptBackoff();

    @Test
    void descriptorExhaustionPausesAndLogsOncePerEpisode() {
        AcceptBackoff.Decision first = backoff.onFailure(new IOException("Too many open files"));
        AcceptBackoff.Decision second = backoff.onFailure(new IOException("Too many open files"));

        assertThat(first.pauseNanos()).isEqualTo(AcceptBackoff.EXHAUSTED_PAUSE_NANOS);
        assertThat(first.log()).isTrue();
        assertThat(first.descriptorsExhausted()).isTrue();
        assertThat(second.pauseNanos()).isEqualTo(AcceptBackoff.EXHAUSTED_PAUSE_NANOS);
        assertThat(second.log()).isFalse();

        backoff.onSuccess();
        assertThat(backoff.onFailure(new IOException("Too many open files")).log()).isTrue();
    }

    @Test
    void recognisesEnfileAndWrappedCauses() {
        assertThat(AcceptBackoff.isDescriptorExhaustion(new SocketException("Too many open files in system"))).isTrue();
        assertThat(AcceptBackoff.isDescriptorExhaustion(
                new IOException("accept failed", new IOException("Too many open files")))).isTrue();
        assertThat(AcceptBackoff.isDescriptorExhaustion(new IOException("Connection reset by peer"))).isFalse();
        assertThat(AcceptBackoff.isDescriptorExhaustion(new IOException((String) null))).isFalse();
    }

    @Test
    void otherErrorsKeepAcceptingUntilTheyRepeat() {
        for (int i = 1; i < AcceptBackoff.REPEATED_FAILURE_THRESHOLD; i++) {
            AcceptBackoff.Decision d = backoff.onFailure(new IOException("Software caused connection abort"));
            assertThat(d.pauseNanos()).isZero();
            assertThat(d.descriptorsExhausted()).isFalse();
            assertThat(d.log()).isEqualTo(i == 1);
        }
        AcceptBackoff.Decision repeated = backoff.onFailure(new IOException("Software caused connection abort"));
        assertThat(repeated.pauseNanos()).isEqualTo(AcceptBackoff.REPEATED_FAILURE_PAUSE_NANOS);

        backoff.onSuccess();
        assertThat(backoff.consecutiveFailures()).isZero();
        assertThat(backoff.onFailure(new IOException("reset")).pauseNanos()).isZero();
    }
}
