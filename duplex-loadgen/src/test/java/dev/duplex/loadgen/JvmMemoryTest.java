package dev.duplex.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Parsing what {@code jcmd} prints (JDK 17's formats); the live path runs in {@link ScenariosTest}. */
class JvmMemoryTest {

    @Test
    void liveHeapIsTheHistogramTotal() throws IOException {
        String histogram = """
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:          8071         744152  [B (java.base@17.0.15)
                   2:          1177         143928  java.lang.Class (java.base@17.0.15)
                Total         46190        2295616
                """;
        assertThat(JvmMemory.liveHeap(histogram)).isEqualTo(2_295_616);
    }

    @Test
    void aHistogramWithoutTotalIsAnError() {
        assertThatThrownBy(() -> JvmMemory.liveHeap("123: Unable to open socket file"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unable to open socket file");
    }

    @Test
    void nativeMemoryIsTheCommittedTotalLessTheHeapAndTheCollector() {
        String summary = """
                Native Memory Tracking:

                Total: reserved=7809565KB, committed=317509KB
                       malloc: 16757KB #62390
                       mmap:   reserved=7792808KB, committed=300752KB

                -                 Java Heap (reserved=6172672KB, committed=65536KB)
                                            (mmap: reserved=6172672KB, committed=65536KB)

                -                        GC (reserved=21384KB, committed=6536KB)
                                            (malloc=3464KB #2451)
                """;
        assertThat(JvmMemory.nativeOutsideHeap(summary)).isEqualTo((317_509L - 65_536L - 6_536L) * 1024);
    }

    @Test
    void nativeMemoryIsNullWhenTrackingIsOff() {
        assertThat(JvmMemory.nativeOutsideHeap("Native memory tracking is not enabled")).isNull();
    }
}
