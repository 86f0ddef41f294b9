package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** When to reconnect, on a manual clock and a seeded back-off. */
class RetryPolicyTest {
    private final MutableClock clock = new MutableClock(1_000_000);

    private RetryPolicy policy(long seed, int breakerFailures, int maxAttempts) {
        return new RetryPolicy(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(seed)),
                new CircuitBreaker(breakerFailures, Duration.ofSeconds(60), clock), maxAttempts);
    }

    @Test
    void onlyAttemptsThatNeverOpenedCountAsFailures() {
        RetryPolicy policy = policy(1, 0, 0);
        policy.onEnded(false);
        policy.onEnded(false);
        assertThat(policy.failedAttempts()).isEqualTo(2);
        policy.onOpen();
        assertThat(policy.failedAttempts()).isZero();
        policy.onEnded(true); // an open connection ended: no failed attempt yet
        assertThat(policy.failedAttempts()).isZero();
    }

    @Test
    void theDelayIsTheBackOffsDrawOverTheFailuresInARow() {
        RetryPolicy policy = policy(7, 0, 0);
        Backoff same = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(7));
        assertThat(policy.delayMillis(null)).isEqualTo(same.delayMillis(0)); // after an open connection ended
        policy.onEnded(false);
        assertThat(policy.delayMillis(null)).isEqualTo(same.delayMillis(0)); // after the first failure
        policy.onEnded(false);
        assertThat(policy.delayMillis(null)).isEqualTo(same.delayMillis(1));
    }

    @Test
    void theHubsRetryAfterAndAnOpenBreakerMakeItLonger() {
        RetryPolicy policy = policy(7, 2, 0);
        assertThat(policy.delayMillis(5_000L)).isEqualTo(5_000);
        policy.onEnded(false);
        policy.onEnded(false); // the breaker opens for 60 s
        assertThat(policy.delayMillis(5_000L)).isEqualTo(60_000);
        clock.advance(Duration.ofSeconds(45));
        assertThat(policy.delayMillis(null)).isEqualTo(15_000);
    }

    @Test
    void maxAttemptsFailuresInARowExhaustItUntilARestart() {
        RetryPolicy policy = policy(1, 0, 3);
        policy.onEnded(false);
        policy.onEnded(false);
        assertThat(policy.exhausted()).isFalse();
        policy.onEnded(false);
        assertThat(policy.exhausted()).isTrue();
        policy.restart();
        assertThat(policy.exhausted()).isFalse();
        assertThat(policy.failedAttempts()).isZero();
        assertThat(policy(1, 0, 0).exhausted()).as("0: no limit").isFalse();
    }
}
