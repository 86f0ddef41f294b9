package dev.duplex.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ByteOutput}: grows keeping what was written, drains, and lets go of a burst's memory. */
class ByteOutputTest {

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void growingKeepsTheBytesWritten(boolean direct) {
        ByteOutput out = new ByteOutput(4, direct);
        for (int i = 0; i < 1000; i++) {
            out.reserve(1).put((byte) i);
        }
        assertThat(out.size()).isEqualTo(1000);
        ByteBuffer read = out.flip();
        for (int i = 0; i < 1000; i++) {
            assertThat(read.get()).isEqualTo((byte) i);
        }
        out.clear();
        assertThat(out.isEmpty()).isTrue();
    }

    @Test
    void reserveGuaranteesTheRoomAskedFor() {
        ByteOutput out = new ByteOutput(8, false);
        out.reserve(3).put(new byte[3]);
        assertThat(out.reserve(100).remaining()).isGreaterThanOrEqualTo(100);
        assertThat(out.size()).isEqualTo(3);
    }

    @Test
    void clearReleasesABufferThatGrewLarge() {
        ByteOutput out = new ByteOutput(16, false);
        out.reserve(1 << 20).put(new byte[1 << 20]);
        ByteBuffer large = out.reserve(0);
        out.clear();
        assertThat(out.reserve(0)).isNotSameAs(large);
        assertThat(out.reserve(0).capacity()).isEqualTo(16);

        out.reserve(100).put(new byte[100]);
        ByteBuffer moderate = out.reserve(0);
        out.clear();
        assertThat(out.reserve(0)).as("a buffer within 16x its initial size is kept").isSameAs(moderate);
    }

    @Test
    void nonPositiveCapacityIsRefused() {
        assertThatThrownBy(() -> new ByteOutput(0, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
