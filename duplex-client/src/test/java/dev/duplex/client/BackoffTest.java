package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Duration BASE = Duration.ofMillis(500);
    private static final Duration MAX = Duration.ofSeconds(20);

    @Test
    void ceilingDoublesFromTheBaseUpToTheMaximum() {
        Backoff backoff = new Backoff(BASE, MAX, new Random(1));
        assertThat(backoff.ceilingMillis(0)).isEqualTo(500);
        assertThat(backoff.ceilingMillis(1)).isEqualTo(1_000);
        assertThat(backoff.ceilingMillis(2)).isEqualTo(2_000);
        assertThat(backoff.ceilingMillis(5)).isEqualTo(16_000);
        assertThat(backoff.ceilingMillis(6)).isEqualTo(20_000);
        assertThat(backoff.ceilingMillis(7)).isEqualTo(20_000);
    }

    @Test
    void hugeAttemptNumbersDoNotOverflow() {
        Backoff backoff = new Backoff(BASE, MAX, new Random(1));
        for (int attempt : new int[] {52, 53, 54, 62, 63, 64, 100, Integer.MAX_VALUE}) {
            assertThat(backoff.ceilingMillis(attempt)).as("attempt %d", attempt).isEqualTo(20_000);
            assertThat(backoff.delayMillis(attempt)).isBetween(0L, 20_000L);
        }
        Backoff wide = new Backoff(Duration.ofMillis(1), Duration.ofMillis(Long.MAX_VALUE), new Random(1));
        assertThat(wide.ceilingMillis(62)).isEqualTo(1L << 62);
        assertThat(wide.ceilingMillis(63)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void fullJitterCoversTheWholeWindowAndNeverPassesIt() {
        Backoff backoff = new Backoff(BASE, MAX, new Random(42));
        for (int attempt = 0; attempt < 10; attempt++) {
            long ceiling = backoff.ceilingMillis(attempt);
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 5_000; i++) {
                long d = backoff.delayMillis(attempt);
                assertThat(d).isBetween(0L, ceiling);
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            // Full jitter, not "equal jitter": the low end of the window is used as well as the top.
            assertThat(min).as("attempt %d", attempt).isLessThan(ceiling / 20 + 1);
            assertThat(max).as("attempt %d", attempt).isGreaterThan(ceiling - ceiling / 20 - 1);
        }
    }

    @Test
    void theMeanIsHalfTheCeiling() {
        Backoff backoff = new Backoff(BASE, MAX, new Random(7));
        long sum = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            sum += backoff.delayMillis(3); // ceiling 4,000 ms
        }
        assertThat((double) sum / n).isBetween(1_900.0, 2_100.0);
    }

    @Test
    void aSeededRandomGivesTheSameDelays() {
        List<Long> first = delays(new Backoff(BASE, MAX, new Random(2024)));
        List<Long> second = delays(new Backoff(BASE, MAX, new Random(2024)));
        List<Long> other = delays(new Backoff(BASE, MAX, new Random(2025)));
        assertThat(first).isEqualTo(second);
        assertThat(first).isNotEqualTo(other);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, MAX, new Random())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(30), MAX, new Random()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be below");
        assertThatThrownBy(() -> new Backoff(BASE, MAX, new Random()).ceilingMillis(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Long> delays(Backoff backoff) {
        List<Long> out = new ArrayList<>();
        for (int attempt = 0; attempt < 12; attempt++) {
            out.add(backoff.delayMillis(attempt));
        }
        return out;
    }
}
