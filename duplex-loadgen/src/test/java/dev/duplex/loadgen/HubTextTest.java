package dev.duplex.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HubTextTest {
    private static final byte[] PUBLICATION = HubText.ascii(
            "{\"type\":\"publication\",\"channel\":\"fanout\",\"offset\":42,\"data\":{\"seq\":7,\"t\":-123456789,\"pad\":\"xx\"},"
                    + "\"info\":{\"client\":\"c-1\",\"user\":\"\"}}");

    @Test
    void readsIntegersAfterKeys() {
        byte[] b = PUBLICATION;
        assertThat(HubText.longAfter(b, 0, b.length, HubText.key("offset"))).isEqualTo(42);
        int data = HubText.indexOf(b, 0, b.length, HubText.key("data"));
        assertThat(HubText.longAfter(b, data, b.length, HubText.key("seq"))).isEqualTo(7);
        assertThat(HubText.longAfter(b, data, b.length, HubText.key("t"))).isEqualTo(-123456789);
        assertThat(HubText.longAfter(b, 0, b.length, HubText.key("missing"))).isEqualTo(HubText.NONE);
        assertThat(HubText.type(b, b.length)).isEqualTo("publication");
        assertThat(HubText.stringAfter(b, b.length, HubText.key("channel"))).isEqualTo("fanout");
    }

    @Test
    void aNumberCutOffByTheCaptureIsNotRead() {
        byte[] b = PUBLICATION;
        int data = HubText.indexOf(b, 0, b.length, HubText.key("data"));
        int t = HubText.indexOf(b, data, b.length, HubText.key("t"));
        // Captured up to the middle of t's digits: the value may go on, so it is not trusted.
        assertThat(HubText.longAfter(b, data, t + 8, HubText.key("t"))).isEqualTo(HubText.NONE);
    }

    @Test
    void writesDecimals() {
        byte[] b = new byte[32];
        for (long v : new long[] {0, 9, 10, 1234567890123L, -5, Long.MAX_VALUE, Long.MIN_VALUE}) {
            int end = HubText.writeLong(b, 3, v);
            assertThat(new String(b, 3, end - 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
        }
    }

    @Test
    void quotesChannelNames() {
        assertThat(HubText.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        byte[] error = HubText.ascii("{\"type\":\"error\",\"id\":2,\"code\":102,\"message\":\"No \\\"x\\\" here\"}");
        assertThat(HubText.stringAfter(error, error.length, HubText.key("message"))).isEqualTo("No \"x\" here");
    }
}
