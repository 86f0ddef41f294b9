package dev.duplex.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SequenceWindowTest {

    @Test
    void inOrderReorderedDuplicatedAndLateArrivalsAreToldApart() {
        SequenceWindow w = new SequenceWindow();
        assertThat(w.see(0)).isEqualTo(SequenceWindow.NEW);
        assertThat(w.see(2)).isEqualTo(SequenceWindow.NEW); // 1 is missing for now
        assertThat(w.see(1)).as("reordered within the window").isEqualTo(SequenceWindow.NEW);
        assertThat(w.see(1)).isEqualTo(SequenceWindow.DUPLICATE);
        assertThat(w.see(2)).isEqualTo(SequenceWindow.DUPLICATE);
        assertThat(w.see(100)).isEqualTo(SequenceWindow.NEW);
        assertThat(w.see(37)).as("63 behind: still in the window").isEqualTo(SequenceWindow.NEW);
        assertThat(w.see(36)).as("64 behind: beyond it").isEqualTo(SequenceWindow.LATE);
        assertThat(w.see(500)).as("a jump past the whole window").isEqualTo(SequenceWindow.NEW);
        assertThat(w.see(100)).isEqualTo(SequenceWindow.LATE);
        assertThat(w.see(499)).isEqualTo(SequenceWindow.NEW);
        assertThat(w.see(499)).isEqualTo(SequenceWindow.DUPLICATE);
    }
}
