package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.client.CircuitBreaker.State;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
    private final MutableClock clock = new MutableClock(1_000_000);
    private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(60), clock);

    @Test
    void staysClosedBelowTheThreshold() {
        breaker.onFailure();
        breaker.onFailure();
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.delayMillis()).isZero();
        assertThat(breaker.consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void aSuccessResetsTheCount() {
        breaker.onFailure();
        breaker.onFailure();
        breaker.onSuccess();
        breaker.onFailure();
        breaker.onFailure();
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void opensAtTheThresholdForTheOpenPeriod() {
        fail(3);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.delayMillis()).isEqualTo(60_000);
        clock.advance(Duration.ofSeconds(59));
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.delayMillis()).isEqualTo(1_000);
    }

    @Test
    void halfOpenAfterThePeriodThenClosedOnSuccess() {
        fail(3);
        clock.advance(Duration.ofSeconds(60));
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        assertThat(breaker.delayMillis()).isZero();
        breaker.onSuccess();
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.consecutiveFailures()).isZero();
        // A fresh count: two failures do not open it again.
        fail(2);
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void aFailedHalfOpenTrialOpensItAgainForAFullPeriod() {
        fail(3);
        clock.advance(Duration.ofSeconds(61));
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        breaker.onFailure();
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.delayMillis()).isEqualTo(60_000);
        clock.advance(Duration.ofSeconds(60));
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    }

    @Test
    void aThresholdOfZeroNeverOpens() {
        CircuitBreaker disabled = new CircuitBreaker(0, Duration.ofSeconds(60), clock);
        for (int i = 0; i < 1_000; i++) {
            disabled.onFailure();
        }
        assertThat(disabled.state()).isEqualTo(State.CLOSED);
        assertThat(disabled.delayMillis()).isZero();
    }

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            breaker.onFailure();
        }
    }
}
